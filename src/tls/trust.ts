export function trustInstructions(): string { return ""; }
