// Proves the CPU's ways into and out of ring 0 and their checks: INT n through IDT gates (#GP(vector*8+2) below the gate's DPL, #NP for an absent gate), SYSCALL/SYSRET, IRET, far JMP, MOV to CS, the IF-masked timer, and exception delivery through the IDT only once a kernel has booted.
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../engine/core/decider.js';
import { CR4_PGE, CR4_PSE, EFER_LMA, EFER_LME, RFLAGS_FIXED } from '../../../engine/hw/cpu/registers.js';
import { Machine, given, instruction, registerSet, syscallRequest, typesOf } from '../../helpers/machine.js';

const atCpl3: EventDraft[] = [registerSet('cpl', 3)];
const int = (vector: number) => instruction({ op: 'int', vector, syscall: null }, 'user');
const gateConfigured = (vector: number, dpl: number, present: boolean): EventDraft => ({
  type: 'cpu.gateConfigured',
  actor: 'kernel',
  data: { vector, dpl, present, handler: `handler_${vector}` },
});
const gp = (errorCode: number) => ({ type: 'cpu.exceptionRaised', data: { vector: 13, errorCode, cpl: 3 } });

describe('INT n', () => {
  it.each([
    [0x0e, 0x72],
    [0x0d, 0x6a],
    [0x20, 0x102],
    [0x00, 0x2],
  ])('at CPL 3 through the DPL 0 gate %s raises #GP(vector*8+2) = #GP(%s)', (vector, errorCode) => {
    given(atCpl3).when(int(vector)).then([gp(errorCode)]);
  });

  it('at CPL 3 through the DPL 3 gate 0x80 enters its handler at CPL 0', () => {
    const syscall = syscallRequest(20, 'getpid');
    const decision = given(atCpl3)
      .when(instruction({ op: 'int', vector: 0x80, syscall }, 'user'))
      .then([
        {
          type: 'cpu.trapEntered',
          data: { vector: 0x80, source: 'software', fromCpl: 3, toCpl: 0, handler: 'entry_INT80_compat', gateKind: 'trap', by: 'user', syscall },
        },
      ]);
    expect(decision.after.cpu.cpl).toBe(0);
    expect(decision.after.cpu.frames).toEqual([{ cpl: 3, via: 'interrupt', vector: 0x80, rflags: decision.state.cpu.rflags }]);
  });

  it('keeps IF through a trap gate and clears it through an interrupt gate', () => {
    const trap = given(atCpl3).when(int(0x80)).after;
    expect(trap.cpu.rflags & (1 << 9)).not.toBe(0);
    const interrupt = given([...atCpl3, gateConfigured(0x81, 3, true)]).when(int(0x81)).after;
    expect(interrupt.cpu.rflags & (1 << 9)).toBe(0);
  });

  it('through a gate that is not present raises #NP with the same error code, once the DPL check passes', () => {
    given([...atCpl3, gateConfigured(0x81, 3, false)])
      .when(int(0x81))
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 11, errorCode: 0x81 * 8 + 2, cpl: 3 } }]);
  });

  it('checks the DPL before presence: an absent DPL 0 gate gives #GP at CPL 3 and #NP at CPL 0', () => {
    given(atCpl3).when(int(0x81)).then([gp(0x40a)]);
    given([]).when(instruction({ op: 'int', vector: 0x81, syscall: null }, 'kernel')).then([{ type: 'cpu.exceptionRaised', data: { vector: 11, errorCode: 0x40a } }]);
  });

  it('follows a gate the kernel reconfigured: a DPL 3 page-fault gate lets user code raise it', () => {
    given([...atCpl3, gateConfigured(0x0e, 3, true)]).when(int(0x0e)).then([{ type: 'cpu.trapEntered', data: { vector: 0x0e, source: 'software' } }]);
  });

  it('decides cpu.configureGate into a gate with the requested DPL and presence', () => {
    const decision = given([])
      .when({ type: 'cpu.configureGate', actor: 'kernel', data: { vector: 0x81, dpl: 3, present: true } })
      .then([{ type: 'cpu.gateConfigured', data: { vector: 0x81, dpl: 3, present: true, handler: 'handler_129' } }]);
    expect(decision.after.cpu.idt[0x81]).toEqual({ present: true, dpl: 3, kind: 'interrupt', handler: 'handler_129' });
  });
});

describe('SYSCALL and SYSRET', () => {
  const syscall = instruction({ op: 'syscall', syscall: syscallRequest(39, 'getpid') }, 'user');

  it('SYSCALL in 64-bit mode with EFER.SCE enters the kernel at CPL 0 with IF clear', () => {
    const decision = given(atCpl3)
      .when(syscall)
      .then([{ type: 'cpu.syscallEntered', data: { fromCpl: 3, by: 'user', syscall: { nr: 39, name: 'getpid' } } }]);
    expect(decision.after.cpu.cpl).toBe(0);
    expect(decision.after.cpu.rflags & (1 << 9)).toBe(0);
  });

  it('SYSCALL with EFER.SCE clear raises #UD', () => {
    given([...atCpl3, registerSet('efer', EFER_LME | EFER_LMA)])
      .when(syscall)
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 6, errorCode: null, reason: 'syscall getpid: EFER.SCE is clear' } }]);
  });

  it('SYSCALL outside 64-bit mode raises #UD (Intel), even with SCE set', () => {
    given(atCpl3, { config: { cpu: 'i386' }, features: { mode: 'protected', cr4: CR4_PSE | CR4_PGE, efer: 1 } })
      .when(syscall)
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 6, reason: 'syscall getpid: SYSCALL is #UD outside 64-bit mode (Intel)' } }]);
  });

  it('SYSRET at CPL 3 raises #GP(0)', () => {
    given(atCpl3).when(instruction({ op: 'sysret' }, 'user')).then([gp(0)]);
  });

  it('SYSRET at CPL 0 returns to CPL 3 and restores the saved flags', () => {
    const entered = given(atCpl3).when(syscall).after;
    const decision = given([], { on: entered })
      .when(instruction({ op: 'sysret' }, 'kernel'))
      .then([{ type: 'cpu.returned', data: { via: 'sysret', toCpl: 3 } }]);
    expect(decision.after.cpu.cpl).toBe(3);
    expect(decision.after.cpu.frames).toEqual([]);
    expect(decision.after.cpu.rflags).toBe(entered.cpu.frames[0]!.rflags);
  });
});

describe('IRET', () => {
  it.each([
    [0x10, 0x10],
    [0x11, 0x10],
    [0x12, 0x10],
  ])('at CPL 3 to selector %s (a lower RPL) raises #GP(%s)', (selector, errorCode) => {
    given(atCpl3).when(instruction({ op: 'iret', selector }, 'user')).then([gp(errorCode)]);
  });

  it('at CPL 3 to an RPL 3 selector is allowed', () => {
    given(atCpl3).when(instruction({ op: 'iret', selector: 0x33 }, 'user')).then([{ type: 'cpu.executed' }]);
  });

  it('without a saved frame raises #GP(0); with one it returns to the saved CPL', () => {
    given([]).when(instruction({ op: 'iret', selector: null }, 'kernel')).then([{ type: 'cpu.exceptionRaised', data: { vector: 13, errorCode: 0 } }]);
    const trapped = given(atCpl3).when(int(0x80)).after;
    given([], { on: trapped }).when(instruction({ op: 'iret', selector: null }, 'kernel')).then([{ type: 'cpu.returned', data: { via: 'iret', toCpl: 3 } }]);
  });
});

describe('far JMP and MOV to CS', () => {
  it.each([
    ['__KERNEL_CS', 0x10, 0x10],
    ['__KERNEL_CS with RPL 3', 0x13, 0x10],
    ['__KERNEL_DS, not code', 0x18, 0x18],
    ['a selector with no descriptor', 0x40, 0x40],
  ])('from CPL 3 to %s raises #GP(selector & 0xfffc)', (_name, selector, errorCode) => {
    given(atCpl3).when(instruction({ op: 'ljmp', selector, offset: 0xffffffff81000000n }, 'user')).then([gp(errorCode)]);
  });

  it('from CPL 3 to __USER_CS runs and does not change the CPL', () => {
    const decision = given(atCpl3).when(instruction({ op: 'ljmp', selector: 0x33, offset: 0x400000n }, 'user')).then([{ type: 'cpu.executed' }]);
    expect(decision.after.cpu.cpl).toBe(3);
  });

  it('to a conforming segment needs only DPL <= CPL', () => {
    const base = given(atCpl3).state;
    const conforming = { ...base, cpu: { ...base.cpu, gdt: [...base.cpu.gdt, { selector: 0x50, name: 'CONFORMING', kind: 'code' as const, dpl: 0, conforming: true }] } };
    given([], { on: conforming }).when(instruction({ op: 'ljmp', selector: 0x53, offset: 0n }, 'user')).then([{ type: 'cpu.executed', data: { cpl: 3 } }]);
  });

  it('MOV to CS raises #UD at any CPL', () => {
    given(atCpl3).when(instruction({ op: 'mov-to-cs', selector: 0x10 }, 'user')).then([{ type: 'cpu.exceptionRaised', data: { vector: 6, errorCode: null } }]);
  });
});

describe('hardware interrupts', () => {
  const timer = { type: 'cpu.interrupt', actor: 'cpu', data: { vector: 0x20 } };

  it('the timer is masked while EFLAGS.IF = 0', () => {
    const decision = given([...atCpl3, registerSet('rflags', RFLAGS_FIXED)]).when(timer).then([{ type: 'cpu.interruptMasked', data: { vector: 0x20 } }]);
    expect(decision.after.cpu.cpl).toBe(3);
  });

  it('the timer enters its DPL 0 gate from CPL 3 when IF = 1: the DPL check is for software only', () => {
    given(atCpl3).when(timer).then([{ type: 'cpu.trapEntered', data: { vector: 0x20, source: 'hardware', fromCpl: 3, handler: 'timer_interrupt' } }]);
  });
});

describe('exception delivery', () => {
  it('without a booted kernel, an exception is only reported', () => {
    const machine = new Machine({ boot: false });
    machine.run({ type: 'cpu.setRegister', actor: 'raw', data: { register: 'cpl', value: 3n } });
    expect(typesOf(machine.run(instruction({ op: 'simple', mnemonic: 'hlt' }, 'user')))).toEqual(['cpu.exceptionRaised']);
    expect(machine.state.cpu.cpl).toBe(3);
  });

  it('with a booted kernel, it is delivered through its IDT gate and handled by the kernel', () => {
    const machine = new Machine();
    machine.createProcess('user', ['SIGSEGV']);
    const events = machine.exec('user', { op: 'simple', mnemonic: 'hlt' });
    expect(typesOf(events)).toEqual(['cpu.exceptionRaised', 'cpu.trapEntered', 'kernel.signalDelivered', 'cpu.returned']);
    expect(events[1]).toMatchObject({
      cause: events[0]!.seq,
      data: { vector: 13, source: 'exception', fromCpl: 3, errorCode: 0, handler: 'general_protection' },
    });
    expect(machine.state.cpu.cpl).toBe(3);
  });
});
