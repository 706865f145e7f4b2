/**
 * Reading resource inputs defensively. Inputs arrive as rendered JSON or, in a real preview, as the policy
 * SDK's proxies, and a rule must never crash on a shape it did not expect: a wrong shape reads as "unset",
 * which the rules treat as the unsafe default.
 */
import * as ipaddr from "ipaddr.js";

export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const asRecord = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * Whether `record[key]` holds a value. In a real preview the policy SDK throws on reading a value not known
 * yet (such as the ARN of a KMS key created in the same update); such a value is nonetheless given.
 */
export function isGiven(record: Record<string, unknown>, key: string): boolean {
    if (!(key in record)) return false;
    try {
        const value = record[key];
        return value !== undefined && value !== null && value !== "";
    } catch {
        return true;
    }
}

/** A CIDR that matches every address (0.0.0.0/0, ::/0). */
export const isInternet = (cidr: unknown): cidr is string => typeof cidr === "string" && /\/0$/.test(cidr.trim());

/** Whether a security group permission lets TCP `port` through. Protocol -1 means every protocol and port. */
export function portRangeCovers(protocol: unknown, fromPort: unknown, toPort: unknown, port: number): boolean {
    const name = String(protocol).toLowerCase();
    if (name === "-1" || name === "all") return true;
    if (name !== "tcp" && name !== "6") return false;
    const from = typeof fromPort === "number" ? fromPort : 0;
    const to = typeof toPort === "number" ? toPort : 65535;
    return from <= port && port <= to;
}

/** An IPv4 CIDR as its first and last address; undefined for anything else. */
function ipv4Range(cidr: unknown): { first: number; last: number } | undefined {
    if (typeof cidr !== "string" || !ipaddr.IPv4.isValidCIDR(cidr)) return undefined;
    const [address, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    const value = address.toByteArray().reduce((acc, byte) => acc * 256 + byte, 0);
    const size = 2 ** (32 - prefix);
    const first = value - (value % size);
    return { first, last: first + size - 1 };
}

/** Whether every address of `inner` is in `outer` (both IPv4 CIDRs). */
export function cidrCovers(outer: unknown, inner: unknown): boolean {
    const o = ipv4Range(outer);
    const i = ipv4Range(inner);
    return !!o && !!i && o.first <= i.first && i.last <= o.last;
}

/** Whether two IPv4 CIDRs share an address. */
export function cidrsShareAddresses(a: unknown, b: unknown): boolean {
    const x = ipv4Range(a);
    const y = ipv4Range(b);
    return !!x && !!y && x.first <= y.last && y.first <= x.last;
}
