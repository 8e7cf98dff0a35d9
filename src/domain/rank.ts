// The rank of a conversation on the home page, stored with its counts so that ordering needs
// no clock: recent activity, lifted by every blog and author taking part.

/** Orders conversations for the home page: recent activity, lifted by every blog and author. */
export function rankConversation(lastActivityAt: string | null, blogCount: number, authorCount: number): number {
  const hours = lastActivityAt ? Date.parse(lastActivityAt) / 3_600_000 : 0;
  // A debate between two blogs ranks like a one-blog thread active a day later; each doubling
  // of authors adds six hours. Stored, so it never needs the clock to compare.
  return hours + 24 * Math.log2(Math.max(1, blogCount)) + 6 * Math.log2(Math.max(1, authorCount));
}
