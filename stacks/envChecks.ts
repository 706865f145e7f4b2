/**
 * Checks that span the stack files of one env, which no single stack program can make: every stack names the
 * same AWS account and deploy, preview and rollback roles, and the VPC CIDRs of the Ops stack and every region
 * stack do not overlap (they are peered to each other). Pure functions over the stack files' `config:` maps; the test over the
 * committed stacks and preflight call them.
 */
import { parseStackName } from "../components/naming";
import { cidrClashes, parseCidr } from "../components/subnetPlan";

/** One stack file: its stack name and its `config:` map (fully qualified keys, values as in the file). */
export interface EnvStackFile {
    stack: string;
    config: Record<string, unknown>;
}

/** A config value as text: strings as they are, anything else (a number YAML read unquoted) as JSON. */
const text = (config: Record<string, unknown>, key: string) => {
    const value = config[`mitene:${key}`];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : JSON.stringify(value);
};

/** Stacks that disagree on the env's account id or one of its roles; empty when all agree. */
export function envAccountProblems(files: readonly EnvStackFile[]): string[] {
    const problems: string[] = [];
    for (const key of ["accountId", "deployRoleArn", "previewRoleArn", "rollbackRoleArn"]) {
        const byValue = new Map<string, string[]>();
        for (const file of files) {
            const value = text(file.config, key) ?? "(unset)";
            byValue.set(value, [...(byValue.get(value) ?? []), file.stack]);
        }
        if (byValue.size > 1) {
            problems.push(`the env's stacks disagree on mitene:${key}: ${[...byValue].map(([value, stacks]) => `${value} in ${stacks.join(", ")}`).join("; ")}`);
        }
    }
    return problems;
}

/** One problem listing every pair of overlapping VPC CIDRs among the Ops and region stacks; empty when none. */
export function envCidrProblems(files: readonly EnvStackFile[]): string[] {
    const problems: string[] = [];
    const vpcs = files
        .filter((file) => ["ops", "region"].includes(parseStackName(file.stack)?.kind ?? ""))
        .flatMap((file) => {
            const cidr = text(file.config, "vpcCidr");
            try {
                if (cidr) parseCidr(cidr);
            } catch (error) {
                problems.push(`${file.stack}: mitene:vpcCidr ${(error as Error).message}`);
                return [];
            }
            return cidr ? [{ name: file.stack, cidr }] : [];
        });
    const clashes = cidrClashes(vpcs);
    if (clashes.length > 0) problems.push(`VPC CIDRs of peered VPCs overlap: ${clashes.join("; ")}`);
    return problems;
}

export const envProblems = (files: readonly EnvStackFile[]) => [...envAccountProblems(files), ...envCidrProblems(files)];
