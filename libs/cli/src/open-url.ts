import { spawn } from 'node:child_process';

/**
 * Opens a URL in the desktop's browser (`open` on macOS, `start` on Windows, `xdg-open` where a display is), detached
 * so the CLI does not wait for it. Resolves false where there is no browser to open: a server over SSH, a container.
 */
export function openUrl(url: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<boolean> {
  let command: string;
  let args: string[];
  if (process.platform === 'darwin') [command, args] = ['open', [url]];
  else if (process.platform === 'win32') [command, args] = ['cmd', ['/c', 'start', '', url]];
  else {
    // Without a display xdg-open falls back to a text browser in this very terminal: not what anyone wants here.
    if (!env['DISPLAY'] && !env['WAYLAND_DISPLAY']) return Promise.resolve(false);
    [command, args] = ['xdg-open', [url]];
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
