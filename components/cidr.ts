/**
 * IPv4 CIDR arithmetic for network planning: whether two blocks overlap, whether one holds another, and the
 * clashes among the VPCs of an environment (peered VPCs must not overlap: a route cannot tell them apart).
 */
import { parseCidr } from "./subnetPlan";

const range = (cidr: string) => {
    const block = parseCidr(cidr);
    return { first: block.base, last: block.base + 2 ** (32 - block.prefix) - 1 };
};

export function cidrsOverlap(a: string, b: string): boolean {
    const x = range(a);
    const y = range(b);
    return x.first <= y.last && y.first <= x.last;
}

/** Whether every address of `inner` is in `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const x = range(outer);
    const y = range(inner);
    return x.first <= y.first && y.last <= x.last;
}

export interface NamedCidr {
    /** Who owns the block, e.g. the stack name. */
    name: string;
    cidr: string;
}

/** Every pair of overlapping blocks, one line each ("a 10.0.0.0/16 overlaps b 10.0.128.0/17"); empty when none. */
export function cidrClashes(blocks: readonly NamedCidr[]): string[] {
    const clashes: string[] = [];
    blocks.forEach((a, i) => {
        for (const b of blocks.slice(i + 1)) {
            if (cidrsOverlap(a.cidr, b.cidr)) clashes.push(`${a.name} ${a.cidr} overlaps ${b.name} ${b.cidr}`);
        }
    });
    return clashes;
}
