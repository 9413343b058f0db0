// Proves the engine loop's contract on a toy machine: deciders decide, reducers fold, reactors queue follow-ups FIFO with `cause` = the triggering event's seq, invariants speak as `invariant.violated` events, and limits stop runaway runs with E_LIMIT.
import { describe, expect, it } from 'vitest';
import type { Command, Envelope, EventDraft, Invariant } from '../../engine/core/decider.js';
import { Engine, INVARIANT_VIOLATED, makeFold, type MechanismDefinition } from '../../engine/core/engine.js';
import { InternalError, ScenarioError } from '../../engine/core/errors.js';
import { DEFAULT_LIMITS, LimitExceeded } from '../../engine/core/limits.js';

interface Toy {
  readonly counter: { readonly value: number };
  readonly log: { readonly lines: readonly string[] };
}

const INITIAL: Toy = { counter: { value: 0 }, log: { lines: [] } };

const draft = (type: string, data: unknown = {}): EventDraft => ({ type, actor: 'toy', data });
const command = (type: string, data: unknown = {}): Command => ({ type, actor: 'test', data });

/**
 * counter.add decides counter.added; counter.added folds into the counter and, while
 * the value is below `until`, reacts with another counter.add. `fan` decides two
 * events whose reactions queue `a` and `b`; `a` decides a.done, which queues `c`.
 */
const counter: MechanismDefinition<Toy, 'counter'> = {
  name: 'counter',
  slice: 'counter',
  decide: {
    'counter.add': (_state, cmd) => [draft('counter.added', cmd.data)],
    'counter.touch': () => [draft('counter.touched')],
  },
  evolve: {
    'counter.added': (slice, event) => ({ value: slice.value + ((event.data as { by?: number }).by ?? 1) }),
    // A reducer that changes nothing returns the same slice.
    'counter.touched': (slice) => slice,
  },
  react: {
    'counter.added': (state, event) => {
      const until = (event.data as { until?: number }).until;
      return until !== undefined && state.counter.value < until ? [command('counter.add', event.data)] : [];
    },
  },
};

const fan: MechanismDefinition<Toy, 'log'> = {
  name: 'fan',
  slice: 'log',
  decide: {
    fan: () => [draft('fan.first'), draft('fan.second')],
    a: () => [draft('a.done')],
    b: () => [draft('b.done')],
    c: () => [draft('c.done')],
    quiet: () => [],
  },
  evolve: {
    'a.done': (slice) => ({ lines: [...slice.lines, 'a'] }),
    'b.done': (slice) => ({ lines: [...slice.lines, 'b'] }),
    'c.done': (slice) => ({ lines: [...slice.lines, 'c'] }),
  },
  react: {
    'fan.first': () => [command('a')],
    'fan.second': () => [command('b')],
    'a.done': () => [command('c')],
  },
};

function engineWith(options: ConstructorParameters<typeof Engine<Toy>>[2] = {}): { engine: Engine<Toy>; seen: Envelope[] } {
  const engine = new Engine<Toy>([counter, fan] as MechanismDefinition<Toy>[], INITIAL, options);
  const seen: Envelope[] = [];
  engine.events$.subscribe((envelope) => seen.push(envelope));
  return { engine, seen };
}

const summary = (events: readonly Envelope[]) => events.map((e) => `${e.seq}:${e.type}<-${e.cause}`);

describe('decide, evolve, react', () => {
  it('given an empty counter, when counter.add by 2, then counter.added is published and folded', () => {
    const { engine, seen } = engineWith();
    engine.dispatch(command('counter.add', { by: 2 }));
    expect(seen).toEqual([{ seq: 0, tick: 0, type: 'counter.added', actor: 'toy', data: { by: 2 }, cause: null }]);
    expect(engine.state.counter.value).toBe(2);
    expect(engine.eventCount).toBe(1);
  });

  it('runs follow-ups to completion within one dispatch, each caused by the event that asked for it', () => {
    const { engine, seen } = engineWith();
    engine.dispatch(command('counter.add', { until: 3 }));
    expect(summary(seen)).toEqual(['0:counter.added<-null', '1:counter.added<-0', '2:counter.added<-1']);
    expect(engine.state.counter.value).toBe(3);
  });

  it('queues follow-ups first in, first out: breadth first, not depth first', () => {
    const { engine, seen } = engineWith();
    engine.dispatch(command('fan'));
    // a and b were queued by the two events of `fan`; c, queued by a.done, runs after b.
    expect(summary(seen)).toEqual(['0:fan.first<-null', '1:fan.second<-null', '2:a.done<-0', '3:b.done<-1', '4:c.done<-2']);
    expect(engine.state.log.lines).toEqual(['a', 'b', 'c']);
  });

  it('takes the cause of the first command from dispatch', () => {
    const { engine, seen } = engineWith();
    engine.dispatch(command('counter.add'), 41);
    expect(seen[0]!.cause).toBe(41);
  });

  it('decides against the state as it is when each queued command runs', () => {
    const seenValues: number[] = [];
    const probe: MechanismDefinition<Toy, 'log'> = {
      name: 'probe',
      slice: null,
      decide: { probe: (state) => (seenValues.push(state.counter.value), []) },
      evolve: {},
      react: { 'counter.added': () => [command('probe')] },
    };
    const engine = new Engine<Toy>([counter, probe] as MechanismDefinition<Toy>[], INITIAL);
    engine.dispatch(command('counter.add', { until: 2 }));
    // Queue: add(→1) → [add, probe] → add(→2) → [probe, probe]: every probe runs after both adds.
    expect(seenValues).toEqual([2, 2]);
  });

  it('stamps envelopes with the virtual clock, which only moves forward', () => {
    const { engine, seen } = engineWith();
    engine.advanceClock(5);
    engine.dispatch(command('counter.add'));
    expect(seen[0]!.tick).toBe(5);
    expect(engine.tick).toBe(5);
    expect(() => engine.advanceClock(-1)).toThrow(InternalError);
  });

  it('refuses a command no mechanism decides', () => {
    const { engine } = engineWith();
    expect(() => engine.dispatch(command('nobody.decides'))).toThrow(new InternalError('no decider for command nobody.decides'));
  });

  it('refuses two deciders for one command and two reducers for one event', () => {
    const copy = { ...counter, name: 'copy' } as MechanismDefinition<Toy>;
    expect(() => new Engine<Toy>([counter, copy] as MechanismDefinition<Toy>[], INITIAL)).toThrow('two deciders for command counter.add');
    const reducerOnly = { name: 'r', slice: 'counter', decide: {}, evolve: counter.evolve } as MechanismDefinition<Toy>;
    expect(() => new Engine<Toy>([counter, reducerOnly] as MechanismDefinition<Toy>[], INITIAL)).toThrow('two reducers for event counter.added');
    const sliceless = { name: 's', slice: null, decide: {}, evolve: { x: (s: unknown) => s } } as unknown as MechanismDefinition<Toy>;
    expect(() => new Engine<Toy>([sliceless], INITIAL)).toThrow('s has reducers but owns no slice');
  });

  it('completes the stream on complete()', () => {
    const { engine } = engineWith();
    let completed = false;
    engine.events$.subscribe({ complete: () => (completed = true) });
    engine.complete();
    expect(completed).toBe(true);
  });
});

describe('record', () => {
  it('numbers an event decided outside a command, folds it and runs the commands its reactors ask for', () => {
    const { engine, seen } = engineWith();
    const envelope = engine.record(draft('counter.added', { until: 2 }), 7);
    expect(envelope).toEqual({ seq: 0, tick: 0, type: 'counter.added', actor: 'toy', data: { until: 2 }, cause: 7 });
    expect(summary(seen)).toEqual(['0:counter.added<-7', '1:counter.added<-0']);
    expect(engine.state.counter.value).toBe(2);
  });

  it('records events with no reducer and no reactor without changing the state', () => {
    const { engine } = engineWith();
    const before = engine.state;
    engine.record(draft('scenario.note'));
    expect(engine.state).toBe(before);
    expect(engine.eventCount).toBe(1);
  });
});

describe('evolve identity and history', () => {
  it('keeps the very same state object when a reducer returns its slice unchanged', () => {
    const { engine } = engineWith();
    const before = engine.state;
    engine.dispatch(command('counter.touch'));
    expect(engine.state).toBe(before);
  });

  it('replaces only the owning slice: other slices stay the same objects', () => {
    const { engine } = engineWith();
    const log = engine.state.log;
    engine.dispatch(command('counter.add'));
    expect(engine.state.log).toBe(log);
  });

  it('keeps the initial state and every changed state when keepHistory is on', () => {
    const { engine } = engineWith({ keepHistory: true });
    engine.dispatch(command('counter.add', { until: 2 }));
    engine.dispatch(command('counter.touch'));
    expect(engine.history!.map((state) => state.counter.value)).toEqual([0, 1, 2]);
    expect(engine.history![0]).toBe(INITIAL);
  });

  it('keeps no history by default', () => {
    expect(engineWith().engine.history).toBeNull();
  });

  it('rebuilds the final state by folding the published envelopes with makeFold', () => {
    const { engine, seen } = engineWith();
    engine.dispatch(command('counter.add', { until: 3 }));
    engine.dispatch(command('fan'));
    const fold = makeFold([counter, fan] as MechanismDefinition<Toy>[]);
    expect(seen.reduce(fold, INITIAL)).toEqual(engine.state);
  });
});

describe('invariants', () => {
  const atMostTwo: Invariant<Toy> = {
    name: 'toy.at-most-two',
    statement: 'The counter never exceeds 2.',
    defence: 'none',
    on: ['counter.added'],
    check: (_before, _event, after) => (after.counter.value > 2 ? `the counter reached ${after.counter.value}` : null),
  };

  it('turns a broken invariant into an invariant.violated event right after the event, caused by it', () => {
    const { engine, seen } = engineWith({ invariants: [atMostTwo] });
    engine.dispatch(command('counter.add', { by: 3 }));
    expect(seen.map((e) => e.type)).toEqual(['counter.added', INVARIANT_VIOLATED]);
    expect(seen[1]).toMatchObject({
      seq: 1,
      actor: 'engine',
      cause: 0,
      data: { invariant: 'toy.at-most-two', message: 'the counter reached 3', event: 0 },
    });
  });

  it('reports the violation before the reactions of the offending event run', () => {
    const { engine, seen } = engineWith({ invariants: [atMostTwo] });
    engine.dispatch(command('counter.add', { by: 3, until: 4 }));
    expect(summary(seen)).toEqual([
      '0:counter.added<-null',
      `1:${INVARIANT_VIOLATED}<-0`,
      '2:counter.added<-0',
      `3:${INVARIANT_VIOLATED}<-2`,
    ]);
  });

  it('checks an invariant with `on` only for those event types', () => {
    const calls: string[] = [];
    const onlyAdded: Invariant<Toy> = { ...atMostTwo, check: (_b, event) => (calls.push(event.type), null) };
    const { engine } = engineWith({ invariants: [onlyAdded] });
    engine.dispatch(command('fan'));
    engine.dispatch(command('counter.add'));
    expect(calls).toEqual(['counter.added']);
  });

  it('checks an invariant without `on` for every event except invariant.violated itself', () => {
    const calls: string[] = [];
    const everything: Invariant<Toy> = {
      name: 'toy.everything',
      statement: 'Always broken.',
      defence: 'none',
      check: (_b, event) => (calls.push(event.type), 'broken'),
    };
    const { engine, seen } = engineWith({ invariants: [everything] });
    engine.dispatch(command('counter.add'));
    expect(calls).toEqual(['counter.added']);
    expect(seen.map((e) => e.type)).toEqual(['counter.added', INVARIANT_VIOLATED]);
  });

  it('gives the check the states before and after the event', () => {
    const pairs: Array<[number, number]> = [];
    const spy: Invariant<Toy> = { ...atMostTwo, check: (before, _e, after) => (pairs.push([before.counter.value, after.counter.value]), null) };
    const { engine } = engineWith({ invariants: [spy] });
    engine.dispatch(command('counter.add', { until: 2 }));
    expect(pairs).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });
});

describe('limits', () => {
  it('are generous by default', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxEvents: 5_000_000, maxCommands: 5_000_000 });
  });

  it('stop a run that decides more events than allowed with E_LIMIT', () => {
    const { engine } = engineWith({ limits: { maxEvents: 3, maxCommands: 100 } });
    let error: unknown = null;
    try {
      engine.dispatch(command('counter.add', { until: 10 }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LimitExceeded);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).code).toBe('E_LIMIT');
    expect((error as ScenarioError).message).toBe(
      'the run exceeded its limit of 3 events; a step probably loops (a fault in a fault handler, or a large repeat). ' +
        'Raise it with --max-events if the scenario really needs more.',
    );
    expect(engine.eventCount).toBe(3);
  });

  it('stop a run that executes more commands than allowed, counting follow-ups', () => {
    const { engine } = engineWith({ limits: { maxEvents: 100, maxCommands: 2 } });
    expect(() => engine.dispatch(command('counter.add', { until: 10 }))).toThrow(
      'the run exceeded its limit of 2 commands; a step probably loops (a fault in a fault handler, or a large repeat). ' +
        'Raise it with --max-commands if the scenario really needs more.',
    );
  });

  it('count commands that decide nothing and across dispatches', () => {
    const { engine } = engineWith({ limits: { maxEvents: 100, maxCommands: 2 } });
    engine.dispatch(command('quiet'));
    engine.dispatch(command('quiet'));
    expect(() => engine.dispatch(command('quiet'))).toThrow(LimitExceeded);
  });

  it('print large limits with thousands separators', () => {
    expect(new LimitExceeded('events', 5_000_000).message).toContain('limit of 5,000,000 events');
  });
});
