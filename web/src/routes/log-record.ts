/** How the log page shows a record: attributes as table rows, and the raw record to copy. */
import type { AttributeValue, Attributes, LogDetail } from '../api/client';

/** An attribute as a table row: scalars as text, lists and maps as indented JSON. */
export function attributeRows(attrs: Attributes): { key: string; text: string; nested: boolean }[] {
  return Object.keys(attrs)
    .sort((a, b) => a.localeCompare(b))
    .map((key) => {
      const v: AttributeValue = attrs[key]!;
      if (typeof v === 'string') return { key, text: v, nested: false };
      if (v !== null && typeof v === 'object') return { key, text: JSON.stringify(v, null, 2), nested: true };
      return { key, text: String(v), nested: false };
    });
}

/** The record as stored, without the API's id and links: what "copy raw" should give. */
export function rawRecord(log: LogDetail): Omit<LogDetail, 'id' | 'links'> {
  const { id: _id, links: _links, ...record } = log;
  return record;
}
