/**
 * The few SVG primitives the report's charts need: escaping, linear scales, round ticks, and an accessible
 * root element (role="img" with a title and a description a screen reader announces).
 */

export const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Numbers in attributes: two decimals at most, no "-0". */
export const n = (value: number) => {
    const rounded = Math.round(value * 100) / 100;
    return String(Object.is(rounded, -0) ? 0 : rounded);
};

export type Scale = (value: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to r0. */
export function linear(d0: number, d1: number, r0: number, r1: number): Scale {
    const span = d1 - d0;
    return (value) => (span === 0 ? r0 : r0 + ((value - d0) / span) * (r1 - r0));
}

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten, about `count` of them. */
export function ticks(max: number, count = 5): number[] {
    if (!(max > 0)) return [0, 1];
    const raw = max / count;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
    const values: number[] = [];
    for (let v = 0; v < max + step / 2; v += step) values.push(Number(v.toPrecision(12)));
    if (values[values.length - 1] < max) values.push(Number((values[values.length - 1] + step).toPrecision(12)));
    return values;
}

/** Round minute ticks for a time axis: 5, 10, 15, 30 minutes, then whole hours. */
export function minuteTicks(maxMinutes: number, count = 8): number[] {
    const raw = Math.max(maxMinutes, 1) / count;
    const step = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].find((s) => s >= raw) ?? Math.ceil(raw / 1440) * 1440;
    const values: number[] = [];
    for (let v = 0; v <= maxMinutes + 1e-9; v += step) values.push(v);
    return values;
}

export interface SvgFrame {
    /** Unique in the page: the title and description are referenced by ids made from it. */
    id: string;
    width: number;
    height: number;
    title: string;
    description: string;
    className?: string;
}

export function svg(frame: SvgFrame, body: string[]): string {
    // Ids are made from region names: keep them to characters that need no escaping.
    const id = frame.id.replace(/[^A-Za-z0-9_-]/g, "_");
    const titleId = `${id}-title`;
    const descId = `${id}-desc`;
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" class="${frame.className ?? "chart"}" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" role="img" aria-labelledby="${titleId} ${descId}">`,
        `<title id="${titleId}">${escapeXml(frame.title)}</title>`,
        `<desc id="${descId}">${escapeXml(frame.description)}</desc>`,
        ...body,
        "</svg>",
    ].join("\n");
}

export function text(x: number, y: number, content: string, attributes = ""): string {
    return `<text x="${n(x)}" y="${n(y)}"${attributes ? " " + attributes : ""}>${escapeXml(content)}</text>`;
}

/** A shape with a tooltip (SVG <title>), which browsers show on hover and screen readers read. */
export function withTooltip(shape: string, tooltip: string): string {
    return `<g>${shape}<title>${escapeXml(tooltip)}</title></g>`;
}
