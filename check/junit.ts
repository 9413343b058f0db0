/** JUnit XML for CI systems: one test case per world and variant, failing with the attack. */

export interface JunitCase {
  readonly name: string;
  readonly runs: number;
  readonly failure: { readonly message: string; readonly text: string } | null;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function junitXml(cases: readonly JunitCase[]): string {
  const failures = cases.filter((c) => c.failure !== null).length;
  const body = cases.map((c) => {
    const open = `  <testcase classname="isolab.check" name="${escapeXml(c.name)}">`;
    const runs = `    <system-out>${c.runs} runs</system-out>`;
    if (c.failure === null) return `${open}\n${runs}\n  </testcase>`;
    return `${open}\n    <failure message="${escapeXml(c.failure.message)}">${escapeXml(c.failure.text)}</failure>\n${runs}\n  </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="isolab check" tests="${cases.length}" failures="${failures}" errors="0">`,
    ...body,
    '</testsuite>',
    '',
  ].join('\n');
}
