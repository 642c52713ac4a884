/** An IPv4 CIDR block, parsed. */
export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit number. */
  address: number;
  /** The prefix length, 0–32. */
  prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/p`; returns `undefined` for anything else (bad octets, host bits set). */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = CIDR.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return undefined;
  return { address, prefix };
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** The `index`-th block of length `newPrefix` inside `parent`, e.g. (`10.0.0.0/16`, 18, 1) → `10.0.64.0/18`. */
export function subnetCidr(parent: Ipv4Cidr, newPrefix: number, index: number): string {
  const size = 2 ** (32 - newPrefix);
  return `${formatAddress(parent.address + index * size)}/${newPrefix}`;
}
