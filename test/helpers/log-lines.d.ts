// Types for the ids log-lines.js exports, for the TypeScript tests that search for them.
export const BODY_UUID: string;
export const ATTRIBUTE_UUID: string;
export const BODY_HEX_ID: string;
export const ATTRIBUTE_HEX_ID: string;
