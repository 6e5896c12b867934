/**
 * Puts a data-testid (and other data attributes) on a Mantine Modal's visible content box. On the Modal itself
 * it lands on the root, which has no box of its own, so Playwright would see it as hidden.
 */
export function modalTestId(id: string, extra: Record<string, string | undefined> = {}) {
  return { attributes: { content: { 'data-testid': id, ...extra } } };
}
