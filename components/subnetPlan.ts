/**
 * Subnet plan of a regional VPC. Private subnets are large (/20 or bigger) because both colors' pods take
 * VPC IPs side by side during an upgrade; public subnets only hold the ALB and NAT gateways.
 */
import * as ipaddr from "ipaddr.js";

export interface SubnetPlanInput {
    /** VPC CIDR, e.g. `10.20.0.0/16`. */
    vpcCidr: string;
    /** One private and one public subnet per availability zone, in this order. */
    availabilityZones: string[];
    /** Prefix length of each private subnet; at most 20 (a /20 holds 4091 usable addresses). */
    privatePrefixLength: number;
    /** Prefix length of each public subnet. */
    publicPrefixLength: number;
}

export interface PlannedSubnet {
    availabilityZone: string;
    cidr: string;
}

export interface SubnetPlan {
    private: PlannedSubnet[];
    public: PlannedSubnet[];
}

export const MAX_PRIVATE_PREFIX = 20;
/** AWS reserves five addresses in every subnet. */
export const AWS_RESERVED_PER_SUBNET = 5;

export const usableAddresses = (prefixLength: number) => 2 ** (32 - prefixLength) - AWS_RESERVED_PER_SUBNET;

interface Block {
    base: number;
    prefix: number;
}

const toInt = (address: string) => ipaddr.IPv4.parse(address).toByteArray().reduce((acc, b) => acc * 256 + b, 0);
const toAddress = (value: number) =>
    [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
const blockSize = (prefix: number) => 2 ** (32 - prefix);

export function parseCidr(cidr: string): Block {
    if (!ipaddr.IPv4.isValidCIDR(cidr)) throw new Error(`"${cidr}" is not an IPv4 CIDR`);
    const [address, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    const base = toInt(address.toString());
    if (base % blockSize(prefix) !== 0) {
        throw new Error(`"${cidr}" is not aligned: the network address is ${toAddress(base - (base % blockSize(prefix)))}`);
    }
    return { base, prefix };
}

export const formatCidr = (block: Block) => `${toAddress(block.base)}/${block.prefix}`;

/** Problems with the input; empty when a plan can be made. */
export function subnetPlanProblems(input: SubnetPlanInput): string[] {
    const problems: string[] = [];
    let vpc: Block | undefined;
    try {
        vpc = parseCidr(input.vpcCidr);
        if (vpc.prefix < 16 || vpc.prefix > 28) problems.push(`VPC CIDR ${input.vpcCidr} must be /16 to /28 (AWS limit)`);
    } catch (error) {
        problems.push((error as Error).message);
    }
    const azs = input.availabilityZones;
    if (azs.length < 2) problems.push(`at least two availability zones are needed, got ${azs.length}`);
    if (new Set(azs).size !== azs.length) problems.push(`availability zones repeat: ${azs.join(", ")}`);
    if (input.privatePrefixLength > MAX_PRIVATE_PREFIX) {
        problems.push(`private subnets must be /${MAX_PRIVATE_PREFIX} or larger, got /${input.privatePrefixLength}`);
    }
    if (input.publicPrefixLength > 28) problems.push(`public subnets must be /28 or larger, got /${input.publicPrefixLength}`);
    if (vpc && problems.length === 0) {
        for (const [kind, prefix] of [["private", input.privatePrefixLength], ["public", input.publicPrefixLength]] as const) {
            if (prefix < vpc.prefix) problems.push(`${kind} subnets /${prefix} are larger than the VPC /${vpc.prefix}`);
        }
        const needed = azs.length * (blockSize(input.privatePrefixLength) + blockSize(input.publicPrefixLength));
        if (problems.length === 0 && needed > blockSize(vpc.prefix)) {
            problems.push(
                `${azs.length} private /${input.privatePrefixLength} and public /${input.publicPrefixLength} subnets ` +
                    `need ${needed} addresses but VPC ${input.vpcCidr} has ${blockSize(vpc.prefix)}`,
            );
        }
    }
    return problems;
}

/**
 * Allocates the kind with the larger blocks first (normally private), then the other right after it: with
 * power-of-two sizes taken largest first, every block is aligned on its own size without gaps, so the rest
 * of the VPC stays free in one piece.
 */
export function planSubnets(input: SubnetPlanInput): SubnetPlan {
    const problems = subnetPlanProblems(input);
    if (problems.length > 0) throw new Error(`invalid subnet plan: ${problems.join("; ")}`);
    let next = parseCidr(input.vpcCidr).base;
    const allocate = (prefix: number): PlannedSubnet[] =>
        input.availabilityZones.map((availabilityZone) => {
            const cidr = formatCidr({ base: next, prefix });
            next += blockSize(prefix);
            return { availabilityZone, cidr };
        });
    if (input.publicPrefixLength < input.privatePrefixLength) {
        const publicSubnets = allocate(input.publicPrefixLength);
        return { private: allocate(input.privatePrefixLength), public: publicSubnets };
    }
    const privateSubnets = allocate(input.privatePrefixLength);
    return { private: privateSubnets, public: allocate(input.publicPrefixLength) };
}

/** Whether two CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    return x.base < y.base + blockSize(y.prefix) && y.base < x.base + blockSize(x.prefix);
}

/** Whether `inner` lies entirely within `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    return i.base >= o.base && i.base + blockSize(i.prefix) <= o.base + blockSize(o.prefix);
}

export interface NamedCidr {
    /** Who owns the block, e.g. the stack name. */
    name: string;
    cidr: string;
}

/**
 * Every pair of overlapping blocks, one line each ("a 10.0.0.0/16 overlaps b 10.0.128.0/17"); empty when none.
 * Peered VPCs must not overlap: a route cannot tell them apart.
 */
export function cidrClashes(blocks: readonly NamedCidr[]): string[] {
    return blocks.flatMap((a, i) => blocks.slice(i + 1).filter((b) => cidrsOverlap(a.cidr, b.cidr)).map((b) => `${a.name} ${a.cidr} overlaps ${b.name} ${b.cidr}`));
}
