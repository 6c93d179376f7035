import {
  fromLocal,
  localDateString,
  offsetAt,
  parseLocalDate,
  startOfLocalDay,
  toLocal,
} from '../../src/domain/zoned-time.js';

const local = (year: number, month: number, day: number, hour = 0, minute = 0) => ({
  year,
  month,
  day,
  hour,
  minute,
  second: 0,
  millisecond: 0,
});

describe('zoned time', () => {
  it('reads the wall clock of a zone', () => {
    expect(toLocal(new Date('2025-07-01T03:59:59.250Z'), 'America/New_York')).toEqual({
      year: 2025,
      month: 6,
      day: 30,
      hour: 23,
      minute: 59,
      second: 59,
      millisecond: 250,
    });
  });

  it('knows the offset in winter and in summer', () => {
    expect(offsetAt(new Date('2025-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(3600_000);
    expect(offsetAt(new Date('2025-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(7200_000);
    expect(offsetAt(new Date('2025-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * 3600_000);
  });

  it('is exact around a transition that falls inside a 15-minute cache bucket', () => {
    // Monrovia moved from −0:44:30 to UTC at 1972-01-07T00:44:30Z.
    const before = new Date('1972-01-07T00:44:29Z');
    const after = new Date('1972-01-07T00:44:30Z');
    expect(offsetAt(before, 'Africa/Monrovia')).toBe(-(44 * 60 + 30) * 1000);
    expect(offsetAt(after, 'Africa/Monrovia')).toBe(0);
    expect(toLocal(before, 'Africa/Monrovia')).toMatchObject({ day: 6, hour: 23, minute: 59, second: 59 });
    expect(toLocal(after, 'Africa/Monrovia')).toMatchObject({ day: 7, hour: 0, minute: 44, second: 30 });
  });

  it('turns a wall time into an instant', () => {
    expect(fromLocal(local(2025, 1, 1), 'America/Los_Angeles').toISOString()).toBe(
      '2025-01-01T08:00:00.000Z',
    );
    expect(fromLocal(local(2025, 7, 1), 'Europe/Berlin').toISOString()).toBe('2025-06-30T22:00:00.000Z');
  });

  it('moves a non-existent wall time forward by the gap', () => {
    // Berlin springs from 02:00 to 03:00 on 2025-03-30.
    expect(fromLocal(local(2025, 3, 30, 2, 30), 'Europe/Berlin').toISOString()).toBe(
      '2025-03-30T01:30:00.000Z',
    );
    // Santiago springs from 00:00 to 01:00 on 2024-09-08: that midnight does not exist.
    expect(fromLocal(local(2024, 9, 8), 'America/Santiago').toISOString()).toBe('2024-09-08T04:00:00.000Z');
  });

  it('picks the earlier of two repeated wall times', () => {
    // Berlin falls back from 03:00 to 02:00 on 2025-10-26: 02:30 happens twice.
    expect(fromLocal(local(2025, 10, 26, 2, 30), 'Europe/Berlin').toISOString()).toBe(
      '2025-10-26T00:30:00.000Z',
    );
  });

  it('parses only real calendar dates', () => {
    expect(parseLocalDate('2025-01-01')).toEqual(local(2025, 1, 1));
    expect(parseLocalDate('2024-02-29')).not.toBeNull();
    for (const bad of [
      '2025-02-29',
      '2025-13-01',
      '2025-00-10',
      '2025-1-1',
      '2025-01-01T00:00:00Z',
      'soon',
    ]) {
      expect(parseLocalDate(bad)).toBeNull();
    }
  });

  it('finds the start of the local day and its date', () => {
    const t = new Date('2025-03-09T15:00:00Z');
    expect(startOfLocalDay(t, 'America/New_York').toISOString()).toBe('2025-03-09T05:00:00.000Z');
    expect(localDateString(new Date('2025-03-09T03:00:00Z'), 'America/New_York')).toBe('2025-03-08');
  });
});
