import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
    MAX_PRIVATE_PREFIX,
    SubnetPlanInput,
    cidrContains,
    cidrsOverlap,
    parseCidr,
    planSubnets,
    subnetPlanProblems,
    usableAddresses,
} from "../../components/subnetPlan";

const AZS = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"];
const valid: SubnetPlanInput = { vpcCidr: "10.20.0.0/16", availabilityZones: AZS, privatePrefixLength: 19, publicPrefixLength: 24 };

const toAddress = (value: number) => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");

/** Any aligned VPC /16../24, 2..6 distinct AZs, private and public sizes anywhere from the VPC size to /28. */
const planInput = fc
    .record({
        vpcPrefix: fc.integer({ min: 16, max: 24 }),
        base: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        azCount: fc.integer({ min: 2, max: 6 }),
        privateOffset: fc.integer({ min: 0, max: 12 }),
        publicOffset: fc.integer({ min: 0, max: 12 }),
    })
    .map(({ vpcPrefix, base, azCount, privateOffset, publicOffset }): SubnetPlanInput => {
        const size = 2 ** (32 - vpcPrefix);
        return {
            vpcCidr: `${toAddress(base - (base % size))}/${vpcPrefix}`,
            availabilityZones: "abcdef".slice(0, azCount).split("").map((letter) => `us-west-2${letter}`),
            privatePrefixLength: Math.min(vpcPrefix + privateOffset, 28),
            publicPrefixLength: Math.min(vpcPrefix + publicOffset, 28),
        };
    });

const fits = (input: SubnetPlanInput) => {
    const vpcSize = 2 ** (32 - Number(input.vpcCidr.split("/")[1]));
    const needed = input.availabilityZones.length * (2 ** (32 - input.privatePrefixLength) + 2 ** (32 - input.publicPrefixLength));
    return needed <= vpcSize && input.privatePrefixLength <= MAX_PRIVATE_PREFIX;
};

describe("subnetPlan: planSubnets", () => {
    it("plans the committed layout: three /19 private then three /24 public from the VPC base", () => {
        assert.deepEqual(planSubnets(valid), {
            private: [
                { availabilityZone: "ap-northeast-1a", cidr: "10.20.0.0/19" },
                { availabilityZone: "ap-northeast-1c", cidr: "10.20.32.0/19" },
                { availabilityZone: "ap-northeast-1d", cidr: "10.20.64.0/19" },
            ],
            public: [
                { availabilityZone: "ap-northeast-1a", cidr: "10.20.96.0/24" },
                { availabilityZone: "ap-northeast-1c", cidr: "10.20.97.0/24" },
                { availabilityZone: "ap-northeast-1d", cidr: "10.20.98.0/24" },
            ],
        });
    });

    it("allocates the larger kind first when public subnets are the larger ones", () => {
        const plan = planSubnets({ ...valid, privatePrefixLength: 20, publicPrefixLength: 19 });
        assert.deepEqual(plan.public.map((s) => s.cidr), ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"]);
        assert.deepEqual(plan.private.map((s) => s.cidr), ["10.20.96.0/20", "10.20.112.0/20", "10.20.128.0/20"]);
    });

    it("throws with every problem when the input is invalid", () => {
        assert.throws(() => planSubnets({ ...valid, availabilityZones: ["a"], privatePrefixLength: 22 }), (error: Error) => {
            assert.match(error.message, /invalid subnet plan/);
            assert.match(error.message, /at least two availability zones/);
            assert.match(error.message, /must be \/20 or larger/);
            return true;
        });
    });

    it("a /20 private subnet holds 4091 usable addresses (AWS reserves five)", () => {
        assert.equal(usableAddresses(20), 4091);
        assert.equal(usableAddresses(19), 8187);
    });

    it("property: every valid plan has one private and one public subnet per AZ, in AZ order, of the requested sizes", () => {
        fc.assert(
            fc.property(planInput.filter((i) => subnetPlanProblems(i).length === 0), (input) => {
                const plan = planSubnets(input);
                assert.deepEqual(plan.private.map((s) => s.availabilityZone), input.availabilityZones);
                assert.deepEqual(plan.public.map((s) => s.availabilityZone), input.availabilityZones);
                for (const s of plan.private) assert.equal(parseCidr(s.cidr).prefix, input.privatePrefixLength);
                for (const s of plan.public) assert.equal(parseCidr(s.cidr).prefix, input.publicPrefixLength);
                for (const s of plan.private) assert.ok(parseCidr(s.cidr).prefix <= MAX_PRIVATE_PREFIX, `${s.cidr} is smaller than /20`);
            }),
        );
    });

    it("property: planned subnets are aligned, inside the VPC and never overlap", () => {
        fc.assert(
            fc.property(planInput.filter((i) => subnetPlanProblems(i).length === 0), (input) => {
                const plan = planSubnets(input);
                const all = [...plan.private, ...plan.public].map((s) => s.cidr);
                for (const cidr of all) {
                    assert.doesNotThrow(() => parseCidr(cidr), `${cidr} is misaligned`);
                    assert.ok(cidrContains(input.vpcCidr, cidr), `${cidr} is outside ${input.vpcCidr}`);
                }
                for (let i = 0; i < all.length; i++) {
                    for (let j = i + 1; j < all.length; j++) assert.ok(!cidrsOverlap(all[i], all[j]), `${all[i]} overlaps ${all[j]}`);
                }
            }),
        );
    });

    it("property: an input is accepted exactly when its subnets fit in the VPC and private subnets are /20 or larger", () => {
        fc.assert(
            fc.property(planInput, (input) => {
                assert.equal(subnetPlanProblems(input).length === 0, fits(input), JSON.stringify(input));
            }),
        );
    });
});

describe("subnetPlan: subnetPlanProblems", () => {
    it("accepts the committed layout", () => {
        assert.deepEqual(subnetPlanProblems(valid), []);
    });

    const cases: { title: string; input: Partial<SubnetPlanInput>; message: RegExp }[] = [
        { title: "a VPC too small for the subnets", input: { vpcCidr: "10.20.0.0/18" }, message: /need 25344 addresses but VPC 10\.20\.0\.0\/18 has 16384/ },
        { title: "a VPC larger than /16", input: { vpcCidr: "10.0.0.0/8" }, message: /must be \/16 to \/28/ },
        { title: "fewer than two AZs", input: { availabilityZones: ["ap-northeast-1a"] }, message: /at least two availability zones are needed, got 1/ },
        { title: "repeated AZs", input: { availabilityZones: ["ap-northeast-1a", "ap-northeast-1a", "ap-northeast-1c"] }, message: /availability zones repeat: ap-northeast-1a, ap-northeast-1a/ },
        { title: "private subnets smaller than /20", input: { privatePrefixLength: 21 }, message: /private subnets must be \/20 or larger, got \/21/ },
        { title: "public subnets smaller than /28", input: { publicPrefixLength: 29 }, message: /public subnets must be \/28 or larger, got \/29/ },
        { title: "subnets larger than the VPC", input: { vpcCidr: "10.20.0.0/20", privatePrefixLength: 19 }, message: /private subnets \/19 are larger than the VPC \/20/ },
        { title: "a misaligned VPC CIDR", input: { vpcCidr: "10.20.1.0/16" }, message: /"10\.20\.1\.0\/16" is not aligned: the network address is 10\.20\.0\.0/ },
        { title: "an invalid CIDR", input: { vpcCidr: "10.20.0.0/33" }, message: /"10\.20\.0\.0\/33" is not an IPv4 CIDR/ },
        { title: "not a CIDR at all", input: { vpcCidr: "vpc" }, message: /"vpc" is not an IPv4 CIDR/ },
    ];
    for (const c of cases) {
        it(`reports ${c.title}`, () => {
            const problems = subnetPlanProblems({ ...valid, ...c.input });
            assert.equal(problems.length, 1, problems.join("; "));
            assert.match(problems[0], c.message);
        });
    }

    it("reports every problem at once", () => {
        const problems = subnetPlanProblems({ vpcCidr: "10.20.0.0/33", availabilityZones: ["a"], privatePrefixLength: 24, publicPrefixLength: 30 });
        assert.equal(problems.length, 4, problems.join("; "));
    });
});

describe("subnetPlan: cidrsOverlap / cidrContains", () => {
    const overlap: [string, string, boolean][] = [
        ["10.0.0.0/16", "10.0.0.0/16", true],
        ["10.0.0.0/16", "10.0.255.0/24", true],
        ["10.0.255.0/24", "10.0.0.0/16", true],
        ["10.0.0.0/16", "10.1.0.0/16", false],
        ["10.0.0.0/24", "10.0.1.0/24", false],
        ["10.0.0.0/23", "10.0.1.0/24", true],
        ["0.0.0.0/0", "192.168.0.0/16", true],
        ["192.168.0.0/32", "192.168.0.1/32", false],
    ];
    for (const [a, b, expected] of overlap) {
        it(`cidrsOverlap(${a}, ${b}) is ${expected}`, () => assert.equal(cidrsOverlap(a, b), expected));
    }

    const contains: [string, string, boolean][] = [
        ["10.0.0.0/16", "10.0.0.0/16", true],
        ["10.0.0.0/16", "10.0.128.0/17", true],
        ["10.0.128.0/17", "10.0.0.0/16", false],
        ["10.0.0.0/16", "10.1.0.0/24", false],
        ["10.0.0.0/24", "10.0.0.255/32", true],
        ["10.0.0.0/24", "10.0.1.0/32", false],
    ];
    for (const [outer, inner, expected] of contains) {
        it(`cidrContains(${outer}, ${inner}) is ${expected}`, () => assert.equal(cidrContains(outer, inner), expected));
    }

    it("rejects misaligned and invalid CIDRs instead of guessing", () => {
        assert.throws(() => cidrsOverlap("10.0.0.1/16", "10.0.0.0/16"), /not aligned/);
        assert.throws(() => cidrContains("10.0.0.0/16", "10.0.0.0/40"), /not an IPv4 CIDR/);
    });
});
