import type { Direction, Site, Tool, What } from './sites';

/** A goal from ../shared/notes/anchors.md: Ferry's median ÷ the reference's median must be at most maxRatio. */
export interface Target {
  /** Reference keys; with several, the faster of them (lower median) is the one compared. */
  against: string[];
  maxRatio: number;
  text: string;
}

export interface Case {
  id: string;
  title: string;
  site: Site;
  direction: Direction;
  what: What;
  ferry: Tool;
  /** Reference key → tool (keys name them in targets). */
  refs: Record<string, Tool>;
  targets: Target[];
}

const WORK: Record<What, string> = { big: '1 GiB', small: '2,000 x 16 KiB' };

/** Ferry's --transfers: the CLI default, which is also what rclone uses by default and what lftp is given. */
const DEFAULT_TRANSFERS = 4;

function both(site: Site, what: What, make: (direction: Direction) => Omit<Case, 'id' | 'title' | 'site' | 'direction' | 'what'>, suffix?: { id: string; label: string }): Case[] {
  return (['up', 'down'] as const).map((direction) => ({
    id: `${site.proto.toLowerCase()}-${what}-${direction}${suffix ? '-' + suffix.id : ''}`,
    title: `${site.proto} ${WORK[what]} ${direction === 'up' ? 'upload' : 'download'}${suffix ? ` (${suffix.label})` : ''}`,
    site,
    direction,
    what,
    ...make(direction),
  }));
}

export function sftpCases(site: Site): Case[] {
  const ferry = site.ferry(DEFAULT_TRANSFERS);
  const { sftp, sftpGcm, rclone, floor, floorPlain } = site.refs;
  return [
    ...both(site, 'big', () => ({
      ferry,
      refs: { sftp, sftpGcm, rclone },
      targets: [
        { against: ['sftp'], maxRatio: 1, text: 'no slower than OpenSSH sftp' },
        { against: ['sftpGcm'], maxRatio: 1, text: 'no slower than sftp, same cipher (stricter)' },
      ],
    })),
    ...both(site, 'small', (direction) => ({
      ferry,
      // The floors (for information): where Ferry's per-file overhead begins. Uploads run it twice, with
      // Ferry's requests and with sftp's own (bench/floors/sftp-small-up.mjs), as for FTP.
      refs: { sftp, rclone, floor, ...(direction === 'up' ? { floorPlain } : {}) },
      targets: [
        { against: ['sftp'], maxRatio: 1, text: 'no slower than OpenSSH sftp' },
        { against: ['rclone'], maxRatio: 1 / 1.5, text: '>= 1.5x rclone files/s' },
      ],
    })),
  ];
}

export function ftpCases(site: Site): Case[] {
  const ferry = site.ferry(DEFAULT_TRANSFERS);
  const refs = { lftp: site.refs.lftp, rclone: site.refs.rclone };
  return [
    ...both(site, 'big', () => ({ ferry, refs, targets: [{ against: ['lftp', 'rclone'], maxRatio: 1.1, text: 'within 1.1x of the faster of lftp/rclone' }] })),
    ...both(site, 'small', (direction) => ({
      ferry,
      // The floors (for information) have both directions here (bench/floors/ftp-small.mjs, ftp-small-up.mjs);
      // the upload's also without the guarantees, to show what they cost the server.
      refs: { ...refs, floor: site.refs.floor, ...(direction === 'up' ? { floorPlain: site.refs.floorPlain } : {}) },
      targets: [{ against: ['lftp', 'rclone'], maxRatio: 1, text: 'no slower than the faster of lftp/rclone' }],
    })),
  ];
}

export function s3Cases(site: Site): Case[] {
  const { rclone, rclone16, floor } = site.refs;
  return [
    ...both(site, 'big', () => ({ ferry: site.ferry(DEFAULT_TRANSFERS), refs: { rclone }, targets: [{ against: ['rclone'], maxRatio: 1, text: 'no slower than rclone' }] })),
    ...both(site, 'small', (direction) => ({
      ferry: site.ferry(DEFAULT_TRANSFERS),
      refs: { rclone, ...(direction === 'down' ? { floor } : {}) },
      targets: [{ against: ['rclone'], maxRatio: 1, text: 'no slower than rclone' }],
    })),
    // anchors.md's target for many small objects is rclone with 16 transfers; Ferry gets the same 16.
    ...both(
      site,
      'small',
      () => ({ ferry: site.ferry(16), refs: { rclone16 }, targets: [{ against: ['rclone16'], maxRatio: 1, text: 'no slower than rclone --transfers 16' }] }),
      { id: 't16', label: '16 transfers' },
    ),
  ];
}
