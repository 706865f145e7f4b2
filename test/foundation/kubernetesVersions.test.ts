import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
    CORE_ADDON_VERSIONS,
    EKS_VERSIONS,
    SupportPhase,
    compareMinor,
    coreAddonVersions,
    eksSupport,
    isMinorVersion,
    minorDistance,
    nextMinor,
    supportPhase,
    toSemver,
} from "../../components/kubernetesVersions";

/** The date the tables were last read (components/kubernetesVersions.ts sources). */
const TABLES_READ = "2026-11-27";
const minor = fc.integer({ min: 0, max: 99 }).map((m) => `1.${m}`);

describe("kubernetesVersions: version arithmetic", () => {
    const minors: [string, boolean][] = [
        ["1.34", true],
        ["1.9", true],
        ["1.100", true],
        ["1.34.0", false],
        ["v1.34", false],
        ["2.0", false],
        ["1.", false],
        ["1.3a", false],
        ["", false],
        [" 1.34", false],
    ];
    for (const [value, expected] of minors) {
        it(`isMinorVersion(${JSON.stringify(value)}) is ${expected}`, () => assert.equal(isMinorVersion(value), expected));
    }

    const comparisons: [string, string, number][] = [
        ["1.34", "1.34", 0],
        ["1.33", "1.34", -1],
        ["1.35", "1.34", 1],
        ["1.9", "1.10", -1],
        ["1.100", "1.99", 1],
    ];
    for (const [a, b, expected] of comparisons) {
        it(`compareMinor(${a}, ${b}) is ${expected} (numeric, not lexical)`, () => assert.equal(compareMinor(a, b), expected));
    }

    it("minorDistance counts minors, negative for a downgrade", () => {
        assert.equal(minorDistance("1.32", "1.35"), 3);
        assert.equal(minorDistance("1.34", "1.34"), 0);
        assert.equal(minorDistance("1.35", "1.33"), -2);
    });

    it("nextMinor steps one minor, across a digit boundary too", () => {
        assert.equal(nextMinor("1.34"), "1.35");
        assert.equal(nextMinor("1.9"), "1.10");
    });

    it("toSemver refuses what is not a minor", () => {
        assert.equal(toSemver("1.34"), "1.34.0");
        assert.throws(() => toSemver("1.34.1"), /"1\.34\.1" is not a Kubernetes minor version like 1\.34/);
        assert.throws(() => compareMinor("latest", "1.34"), /not a Kubernetes minor/);
    });

    it("property: nextMinor is one minor ahead and compares greater", () => {
        fc.assert(
            fc.property(minor, (v) => {
                assert.equal(minorDistance(v, nextMinor(v)), 1);
                assert.equal(compareMinor(nextMinor(v), v), 1);
            }),
        );
    });

    it("property: compareMinor is antisymmetric and agrees with minorDistance", () => {
        fc.assert(
            fc.property(minor, minor, (a, b) => {
                assert.equal(compareMinor(a, b) + compareMinor(b, a), 0);
                assert.equal(Math.sign(minorDistance(b, a)), compareMinor(a, b));
            }),
        );
    });
});

describe("kubernetesVersions: support calendar", () => {
    const phases: [string, string, SupportPhase][] = [
        ["1.34", "2025-10-01", "unknown"], // before EKS released it
        ["1.34", "2025-10-02", "standard"], // release day
        ["1.34", "2026-06-01", "standard"],
        ["1.34", "2026-12-02", "standard"], // last day of standard support
        ["1.34", "2026-12-03", "extended"],
        ["1.34", "2027-12-02", "extended"], // last day of extended support
        ["1.34", "2027-12-03", "unsupported"],
        ["1.31", TABLES_READ, "unsupported"], // extended support ended 2026-11-26
        ["1.32", TABLES_READ, "extended"],
        ["1.30", TABLES_READ, "unsupported"],
        ["1.36", TABLES_READ, "standard"],
        ["1.29", TABLES_READ, "unknown"], // not in the table
        ["1.99", TABLES_READ, "unknown"],
    ];
    for (const [version, date, phase] of phases) {
        it(`supportPhase(${version}, ${date}) is ${phase}`, () => assert.equal(supportPhase(version, date), phase));
    }

    it("lists consecutive minors, oldest first, each once", () => {
        const versions = EKS_VERSIONS.map((v) => v.version);
        versions.slice(1).forEach((v, i) => assert.equal(minorDistance(versions[i], v), 1, `${versions[i]} then ${v}`));
    });

    it("every entry has ISO dates in order: release < end of standard < end of extended, and a source", () => {
        const iso = /^\d{4}-\d{2}-\d{2}$/;
        for (const v of EKS_VERSIONS) {
            for (const date of [v.eksRelease, v.endOfStandardSupport, v.endOfExtendedSupport]) assert.match(date, iso, `${v.version}: ${date}`);
            assert.ok(v.eksRelease < v.endOfStandardSupport && v.endOfStandardSupport < v.endOfExtendedSupport, v.version);
            assert.ok(v.source.length > 0, v.version);
        }
    });

    // Issue 9 finding 11: the table said 2026-01-27; the calendar says the 28th.
    it("1.35 reached EKS on 2026-01-28 (a day earlier, a preflight would allow a version EKS did not have)", () => {
        assert.equal(eksSupport("1.35")?.eksRelease, "2026-01-28");
        assert.equal(supportPhase("1.35", "2026-01-27"), "unknown");
        assert.equal(supportPhase("1.35", "2026-01-28"), "standard");
    });

    it("every row names its source, and says NOT verified where the AWS calendar itself could not be read", () => {
        for (const v of EKS_VERSIONS) {
            const fromAws = v.source.startsWith("AWS EKS User Guide");
            assert.ok(fromAws !== v.source.includes("NOT verified"), `${v.version}: ${v.source}`);
            assert.match(v.source, /read 2026-1[12]-\d\d|2026-08-16/, v.version);
        }
        // The rows read in AWS's own table.
        assert.deepEqual(EKS_VERSIONS.filter((v) => v.source.startsWith("AWS EKS User Guide")).map((v) => v.version), ["1.30", "1.31", "1.32", "1.33", "1.34"]);
    });

    it("eksSupport finds a listed version and nothing else", () => {
        assert.equal(eksSupport("1.34")?.endOfStandardSupport, "2026-12-02");
        assert.equal(eksSupport("1.20"), undefined);
    });
});

describe("kubernetesVersions: core add-on versions", () => {
    it("every version still in standard support when the tables were read has core add-on versions", () => {
        // Versions already past standard support (1.30, 1.31) have none: no new cluster is built on them.
        const current = EKS_VERSIONS.filter((v) => supportPhase(v.version, TABLES_READ) === "standard");
        assert.ok(current.length >= 3, "expected at least three versions in standard support");
        for (const v of current) assert.ok(coreAddonVersions(v.version), `${v.version} has no core add-on versions`);
    });

    it("every version with core add-on versions is on the EKS calendar", () => {
        for (const version of Object.keys(CORE_ADDON_VERSIONS)) assert.ok(eksSupport(version), `${version} is not in EKS_VERSIONS`);
    });

    it("every pin is an exact EKS build, and kube-proxy matches its Kubernetes minor", () => {
        const build = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;
        for (const [version, addons] of Object.entries(CORE_ADDON_VERSIONS)) {
            for (const [name, value] of Object.entries(addons)) assert.match(value, build, `${version} ${name}`);
            assert.ok(addons.kubeProxy.startsWith(`v${version}.`), `kube-proxy ${addons.kubeProxy} is not for ${version}`);
        }
    });

    it("coreAddonVersions answers undefined for an unknown minor", () => {
        assert.equal(coreAddonVersions("1.29"), undefined);
        assert.equal(coreAddonVersions("1.34")?.coredns, CORE_ADDON_VERSIONS["1.34"].coredns);
    });
});
