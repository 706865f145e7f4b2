/**
 * Removed and deprecated Kubernetes APIs in the GitOps repository's manifests (`plan --manifests DIR`), like pluto
 * and kubent do: every YAML file under DIR, every document in it (multi-document files, `kind: List` items), its
 * apiVersion and kind against the API table (automation/preflight/apiDeprecations.ts) and the removals older than
 * any EKS version the project knows (LEGACY_API_REMOVALS). A file that does not parse is reported, never passed.
 */
import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { MiB, readInputFile } from "../../stacks/inputFile";
import { compareMinor } from "../../components/kubernetesVersions";
import { API_DEPRECATIONS } from "../preflight/apiDeprecations";
import { BadInputError } from "../core/errors";
import { LedgerItem } from "./types";

export const API_TABLE_SOURCE =
    "automation/preflight/apiDeprecations.ts: Kubernetes Deprecated API Migration Guide (kubernetes.io/docs/reference/using-api/deprecation-guide) and FairwindsOps/pluto versions.yaml, read 2026-11-21, checked against kubernetes/api APILifecycleRemoved 2026-11-27";
export const LEGACY_SOURCE = "Kubernetes Deprecated API Migration Guide, sections v1.16 and v1.22 (kubernetes.io/docs/reference/using-api/deprecation-guide), read 2026-11-21";

/** APIs no longer served since before the oldest EKS version: a manifest still using one cannot apply anywhere. */
export const LEGACY_API_REMOVALS: readonly { apiVersion: string; kinds: readonly string[]; removedIn: string; replacement: string }[] = [
    { apiVersion: "extensions/v1beta1", kinds: ["Deployment", "DaemonSet", "ReplicaSet"], removedIn: "1.16", replacement: "apps/v1" },
    { apiVersion: "apps/v1beta1", kinds: ["Deployment", "StatefulSet", "ReplicaSet"], removedIn: "1.16", replacement: "apps/v1" },
    { apiVersion: "apps/v1beta2", kinds: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"], removedIn: "1.16", replacement: "apps/v1" },
    { apiVersion: "extensions/v1beta1", kinds: ["NetworkPolicy"], removedIn: "1.16", replacement: "networking.k8s.io/v1" },
    { apiVersion: "extensions/v1beta1", kinds: ["Ingress"], removedIn: "1.22", replacement: "networking.k8s.io/v1" },
    { apiVersion: "networking.k8s.io/v1beta1", kinds: ["Ingress", "IngressClass"], removedIn: "1.22", replacement: "networking.k8s.io/v1" },
    { apiVersion: "apiextensions.k8s.io/v1beta1", kinds: ["CustomResourceDefinition"], removedIn: "1.22", replacement: "apiextensions.k8s.io/v1" },
    { apiVersion: "admissionregistration.k8s.io/v1beta1", kinds: ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"], removedIn: "1.22", replacement: "admissionregistration.k8s.io/v1" },
    { apiVersion: "rbac.authorization.k8s.io/v1beta1", kinds: ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"], removedIn: "1.22", replacement: "rbac.authorization.k8s.io/v1" },
    { apiVersion: "scheduling.k8s.io/v1beta1", kinds: ["PriorityClass"], removedIn: "1.22", replacement: "scheduling.k8s.io/v1" },
    { apiVersion: "coordination.k8s.io/v1beta1", kinds: ["Lease"], removedIn: "1.22", replacement: "coordination.k8s.io/v1" },
    { apiVersion: "certificates.k8s.io/v1beta1", kinds: ["CertificateSigningRequest"], removedIn: "1.22", replacement: "certificates.k8s.io/v1" },
    { apiVersion: "storage.k8s.io/v1beta1", kinds: ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"], removedIn: "1.22", replacement: "storage.k8s.io/v1" },
];

export interface ManifestApi {
    /** Path relative to the manifests directory. */
    file: string;
    /** 1-based document number within the file. */
    document: number;
    apiVersion: string;
    kind: string;
    name: string | null;
}

export interface ManifestScan {
    apis: ManifestApi[];
    /** Files that did not parse as YAML (a Helm template, a broken file), with the parser's message. */
    unreadable: { file: string; error: string }[];
    files: number;
}

function yamlFiles(dir: string): string[] {
    const found: string[] = [];
    const walk = (current: string) => {
        for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            if (entry.name.startsWith(".")) continue;
            const full = path.join(current, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (/\.ya?ml$/i.test(entry.name)) found.push(full);
        }
    };
    walk(dir);
    return found;
}

type Doc = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; items?: unknown };

/** Every object of a document: the document itself, or the items of a `kind: List`. */
function objectsOf(doc: Doc): Doc[] {
    if (typeof doc.kind === "string" && doc.kind.endsWith("List") && Array.isArray(doc.items)) return doc.items.filter((i): i is Doc => typeof i === "object" && i !== null);
    return [doc];
}

/** Reads every manifest under `dir`. A directory that is not there is bad input. */
export function scanManifests(dir: string): ManifestScan {
    let isDir = false;
    try {
        isDir = statSync(dir).isDirectory();
    } catch {
        isDir = false;
    }
    if (!isDir) throw new BadInputError(`--manifests ${dir} is not a directory`);
    const scan: ManifestScan = { apis: [], unreadable: [], files: 0 };
    for (const full of yamlFiles(dir)) {
        const file = path.relative(dir, full);
        scan.files++;
        let text: string;
        try {
            text = readInputFile(full, 16 * MiB);
        } catch (error) {
            scan.unreadable.push({ file, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
            continue;
        }
        const documents = parseAllDocuments(text);
        const broken = (Array.isArray(documents) ? documents : [documents]).find((d) => d.errors.length > 0);
        if (broken || !Array.isArray(documents)) {
            scan.unreadable.push({ file, error: broken?.errors[0].message.split("\n")[0] ?? "not YAML" });
            continue;
        }
        documents.forEach((document, i) => {
            const doc = document.toJS() as Doc | null;
            if (!doc || typeof doc !== "object") return;
            for (const object of objectsOf(doc)) {
                if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") continue;
                scan.apis.push({ file, document: i + 1, apiVersion: object.apiVersion, kind: object.kind, name: typeof object.metadata?.name === "string" ? object.metadata.name : null });
            }
        });
    }
    return scan;
}

/** What the API table says of an apiVersion and kind for the target: removed (blocking), deprecated (warning), or nothing. */
export function apiVerdict(apiVersion: string, kind: string, target: string): { removedIn: string | null; deprecatedIn: string | null; replacement: string; removed: boolean; source: string } | null {
    const legacy = LEGACY_API_REMOVALS.find((r) => r.apiVersion === apiVersion && r.kinds.includes(kind));
    if (legacy) return { removedIn: legacy.removedIn, deprecatedIn: null, replacement: legacy.replacement, removed: true, source: LEGACY_SOURCE };
    const row = API_DEPRECATIONS.find((d) => d.apiVersion === apiVersion && d.kind === kind);
    if (!row || compareMinor(target, row.deprecatedIn) < 0) return null;
    const removed = row.removedIn !== null && compareMinor(target, row.removedIn) >= 0;
    return { removedIn: row.removedIn, deprecatedIn: row.deprecatedIn, replacement: row.replacement, removed, source: API_TABLE_SOURCE };
}

/** The scan as ledger items for the clusters Argo CD deploys the manifests to. */
export function manifestItems(scan: ManifestScan, target: string, clusters: readonly string[]): LedgerItem[] {
    const items: LedgerItem[] = [];
    for (const api of scan.apis) {
        const verdict = apiVerdict(api.apiVersion, api.kind, target);
        if (!verdict) continue;
        const what = `${api.kind}${api.name ? ` ${api.name}` : ""} (${api.file}, document ${api.document})`;
        const detail = verdict.removed
            ? `${what} uses ${api.apiVersion}, removed in Kubernetes ${verdict.removedIn}: change it to ${verdict.replacement} in the GitOps repository before upgrading`
            : `${what} uses ${api.apiVersion}, deprecated since ${verdict.deprecatedIn}${verdict.removedIn ? `, removed in ${verdict.removedIn}` : ""}: move to ${verdict.replacement}`;
        for (const cluster of clusters) {
            items.push({ cluster, item: `${api.kind} ${api.apiVersion}`, kind: "api", file: api.file, pinned: api.apiVersion, supportsTarget: !verdict.removed, moveTo: verdict.replacement, source: verdict.source, severity: verdict.removed ? "blocking" : "warning", detail });
        }
    }
    for (const bad of scan.unreadable) {
        for (const cluster of clusters) {
            items.push({ cluster, item: "unreadable manifest", kind: "api", file: bad.file, pinned: null, supportsTarget: false, moveTo: null, source: "the YAML parser", severity: "warning", detail: `${bad.file} does not parse as YAML (${bad.error}): its APIs were not checked (render templates first)` });
        }
    }
    return items;
}
