import { notifyError, notifyInfo } from './notify';

/** Copies text, falling back to a hidden textarea where the async clipboard is not allowed. */
export async function copyText(text: string, what = 'Path'): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    if (!ok) return notifyError(new Error('The clipboard is not available here'), 'Copy');
  }
  notifyInfo(`${what} copied`, text.length > 200 ? text.slice(0, 200) + '…' : text);
}
