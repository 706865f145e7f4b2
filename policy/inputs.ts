/**
 * Reading resource inputs defensively. Inputs arrive as rendered JSON or, in a real preview, as the policy
 * SDK's proxies, and a rule must never crash on a shape it did not expect: a wrong shape reads as "unset",
 * which the rules treat as the unsafe default.
 */

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
