import type { CliIo } from '../cli-command.ts';

/** Paints text for a terminal, or leaves it as is (pipes, files, `NO_COLOR`). */
export interface Palette {
  readonly enabled: boolean;
  /** The status word in its colour: red for unreachable, yellow degraded, green healthy, … */
  status(status: string, text?: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const CODES: Readonly<Record<string, readonly [number, number]>> = {
  healthy: [32, 39],
  degraded: [33, 39],
  unreachable: [31, 39],
  stalled: [35, 39],
  killed: [91, 39],
  stopped: [90, 39],
};

/**
 * Colours only where a person reads them: stdout is a terminal and `NO_COLOR` is unset or empty (no-color.org);
 * `FORCE_COLOR` (non-empty, not `0`) turns them on anyway, as in most CLIs.
 */
export function colourEnabled(io: CliIo): boolean {
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0') return true;
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return io.stdoutIsTTY === true && io.env['TERM'] !== 'dumb';
}

/** The palette for this output. */
export function paletteFor(io: CliIo): Palette {
  const enabled = colourEnabled(io);
  const wrap = (open: number, close: number, text: string): string => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return {
    enabled,
    status: (status, text = status) => {
      const code = CODES[status];
      return code === undefined ? text : wrap(code[0], code[1], text);
    },
    dim: (text) => wrap(2, 22, text),
    bold: (text) => wrap(1, 22, text),
  };
}
