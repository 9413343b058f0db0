/** The engine's version, recorded in every trace header. Bump it when events change meaning. */
export const ENGINE_VERSION = '0.1.0';
