import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Issue 7: `npm run build` failed with TS4023 in libs/store/src/sqlite/options.ts — the exported zod schemas inferred
// a type naming `BetterSqlite3.Database`, which declaration emit cannot name. Emitting that file's declarations (as
// the build does) must report no error.
const OPTIONS = fileURLToPath(new URL('../../libs/store/src/sqlite/options.ts', import.meta.url));

describe('issue 7: declarations of the SQLite store options', () => {
  it('emit without TS4023', { timeout: 120_000 }, () => {
    const config = ts.getParsedCommandLineOfConfigFile(fileURLToPath(new URL('../../tsconfig.build.base.json', import.meta.url)), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    const options: ts.CompilerOptions = { ...config!.options, composite: false, noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: '/nonexistent' };
    const program = ts.createProgram([OPTIONS], options);
    const emitted: string[] = [];
    const result = program.emit(program.getSourceFile(OPTIONS), (name, text) => emitted.push(`${name}\n${text}`));
    const errors = result.diagnostics.map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(errors).toEqual([]);
    expect(emitted.join('\n')).toContain('SqliteDatabase');
  });
});
