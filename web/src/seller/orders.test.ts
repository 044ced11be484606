import { describe, expect, it } from 'vitest';
import { laterStatus } from './orders';

describe('laterStatus', () => {
  it.each<[string, string | undefined, string]>([
    ['pending', undefined, 'pending'],
    ['pending', 'packed', 'packed'], // the list has not heard of the packing yet
    ['packed', 'packed', 'packed'],
    ['packed', 'handed_over', 'handed_over'],
    ['handed_over', 'packed', 'handed_over'], // the list has moved on
    ['picked_up', 'handed_over', 'picked_up'], // the carrier's steps: the list is right
    ['cancelled', 'packed', 'cancelled'],
  ])('%s listed, %s answered: %s', (listed, answered, want) => {
    expect(laterStatus(listed, answered)).toBe(want);
  });
});
