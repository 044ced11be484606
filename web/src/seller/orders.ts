/** The seller's steps of a shipment, in order. */
const sellerSteps = ['pending', 'packed', 'handed_over'];

/**
 * laterStatus is the further on of the order list's shipment status and the
 * one the seller's last step (pack, hand over) answered: the list reads the
 * order's view, which hears of the step by an event, so a refetch right
 * after the step may not know of it yet. Past the seller's steps (the
 * carrier's), the list is right.
 */
export function laterStatus(listed: string, answered?: string): string {
  if (!answered) return listed;
  const a = sellerSteps.indexOf(listed);
  const b = sellerSteps.indexOf(answered);
  return a >= 0 && b > a ? answered : listed;
}
