/** Network ranges (CIDRs), as a workforce's portal is opened to them and the policy bounds them. */

/** A CIDR as a number range: the family, the address as a 32- or 128-bit integer, and the prefix length. */
interface Cidr {
  family: 4 | 6;
  address: bigint;
  prefix: number;
}

const IPV4_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4 || !octets.every((octet) => IPV4_OCTET.test(octet) && Number(octet) <= 255)) {
    return undefined;
  }
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

/** The groups of one side of `::`, an embedded IPv4 address (`::ffff:10.0.0.1`) counting as two. */
function ipv6Groups(text: string, allowIpv4Tail: boolean): bigint[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: bigint[] = [];
  for (const [index, part] of parts.entries()) {
    if (allowIpv4Tail && index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === undefined) return undefined;
      groups.push(ipv4 >> 16n, ipv4 & 0xffffn);
    } else if (IPV6_GROUP.test(part)) {
      groups.push(BigInt(`0x${part}`));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const [head = '', tail] = halves;
  const headGroups = ipv6Groups(head, tail === undefined);
  const tailGroups = tail === undefined ? [] : ipv6Groups(tail, true);
  if (headGroups === undefined || tailGroups === undefined) return undefined;
  const given = headGroups.length + tailGroups.length;
  // Without `::` all eight groups are written; with it, it stands for at least one group of zeros.
  if (tail === undefined ? given !== 8 : given > 7) return undefined;
  const groups = [...headGroups, ...Array<bigint>(8 - given).fill(0n), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | group, 0n);
}

/** `10.0.0.0/8` or `2001:db8::/32`; undefined when the text is no such CIDR. Host bits may be set. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) return undefined;
  const ip = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!PREFIX.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (ip.includes(':')) {
    const address = parseIpv6(ip);
    return address === undefined || prefix > 128 ? undefined : { family: 6, address, prefix };
  }
  const address = parseIpv4(ip);
  return address === undefined || prefix > 32 ? undefined : { family: 4, address, prefix };
}

/** Whether every address of `inner` lies within `outer` (same family, no wider, same network bits). */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  if (inner.family !== outer.family || inner.prefix < outer.prefix) return false;
  const hostBits = BigInt((inner.family === 4 ? 32 : 128) - outer.prefix);
  return inner.address >> hostBits === outer.address >> hostBits;
}
