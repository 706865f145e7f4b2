/** What a preflight check says: blocking findings stop a run before anything changes, warnings are shown. */
export interface PreflightFinding {
    id: string;
    severity: "blocking" | "warning";
    message: string;
    region?: string;
}

export const blockingFindings = (findings: PreflightFinding[]) => findings.filter((f) => f.severity === "blocking");
