import { describe, expect, it } from 'vitest';
import { basename, dirname, joinPath, normalizePath } from '../../shared/paths';

/** Paths as every connector sees them; normal ones come back as they are (the fast path), the rest are made normal. */
describe('normalizePath', () => {
  it('keeps a normal path, including names made of dots that are not . or ..', () => {
    for (const p of ['/', '/a', '/a/b c/d.csv', '/.hidden', '/a/..b', '/a/b..', '/...', '/a/...']) expect(normalizePath(p)).toBe(p);
  });

  it('drops empty and . segments and trailing slashes, resolves .., never climbs above the root', () => {
    const cases: Array<[string, string]> = [
      ['', '/'],
      ['a/b', '/a/b'],
      ['/a/', '/a'],
      ['//a//b/', '/a/b'],
      ['/a/./b/.', '/a/b'],
      ['/a/../b', '/b'],
      ['/a/b/..', '/a'],
      ['/..', '/'],
      ['/../../etc/passwd', '/etc/passwd'],
      ['/.', '/'],
    ];
    for (const [p, want] of cases) expect(normalizePath(p), p).toBe(want);
    expect(joinPath('/a', '../b', 'c/')).toBe('/b/c');
    expect(dirname('/a/b/')).toBe('/a');
    expect(basename('/a/b/./')).toBe('b');
  });
});
