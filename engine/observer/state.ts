/**
 * The observer: named secrets placed in memory, and who has learned which. It models
 * the attacker's knowledge, not a mechanism of the machine: a secret "leaks" when code
 * running in user mode as someone other than its owner reads any of its bytes while
 * they still hold the secret's value.
 */

export interface Secret {
  readonly name: string;
  /** 'kernel' or a process name. */
  readonly owner: string;
  readonly va: string;
  readonly physicalAddress: number;
  /** The secret's bytes, hex. */
  readonly bytes: string;
  /** Its frame was zeroed for reuse: the bytes are gone from memory. */
  readonly erased: boolean;
}

export interface ObserverState {
  readonly secrets: { readonly ids: readonly string[]; readonly byName: Readonly<Record<string, Secret>> };
  /** actor -> names of the secrets it has read (sorted). */
  readonly knowledge: Readonly<Record<string, readonly string[]>>;
}

export function initialObserverState(): ObserverState {
  return { secrets: { ids: [], byName: {} }, knowledge: {} };
}

export function knows(observer: ObserverState, actor: string, secret: string): boolean {
  return observer.knowledge[actor]?.includes(secret) ?? false;
}
