// Types of dist-fresh.mjs, for the TypeScript that imports it (bench, tests).
export declare const ROOT: string;
export declare function staleDistFile(root?: string): string | undefined;
