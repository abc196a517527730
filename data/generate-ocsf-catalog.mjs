#!/usr/bin/env node
/**
 * Generates data/ocsf-catalog.json, the compact OCSF lookup table that the
 * normalizers read: class uid to name, caption, category and activity
 * captions, plus the severity and status captions.
 *
 * Usage: node data/generate-ocsf-catalog.mjs [path/to/schema.json]
 * The schema defaults to ../shared/ocsf/schema-1.1.0.json beside the repository.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptFolder = dirname(fileURLToPath(import.meta.url));
const schemaPath = resolve(
  process.argv[2] ?? resolve(scriptFolder, '../../shared/ocsf/schema-1.1.0.json'),
);
const outputPath = resolve(scriptFolder, 'ocsf-catalog.json');

const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));

/** Maps an OCSF enum object ({"1": {caption}}) to {"1": caption}. */
function enumCaptions(attribute) {
  const captions = {};
  for (const [id, entry] of Object.entries(attribute?.enum ?? {})) {
    captions[id] = entry.caption;
  }
  return captions;
}

/** Returns the only [uid, caption] pair of a class's category_uid enum. */
function categoryOf(schemaClass) {
  const entries = Object.entries(schemaClass.attributes.category_uid?.enum ?? {});
  if (entries.length !== 1) {
    throw new Error(
      `class ${schemaClass.name}: expected one category_uid, found ${entries.length}`,
    );
  }
  const [uid, entry] = entries[0];
  return { uid: Number(uid), caption: entry.caption };
}

const classes = {};
for (const schemaClass of Object.values(schema.classes)) {
  const category = categoryOf(schemaClass);
  classes[schemaClass.uid] = {
    name: schemaClass.name,
    caption: schemaClass.caption,
    category_uid: category.uid,
    category_name: category.caption,
    activities: enumCaptions(schemaClass.attributes.activity_id),
  };
}

const baseAttributes = schema.base_event.attributes;
const catalog = {
  version: schema.version,
  classes,
  severities: enumCaptions(baseAttributes.severity_id),
  statuses: enumCaptions(baseAttributes.status_id),
  observable_types: enumCaptions(schema.objects.observable.attributes.type_id),
};

writeFileSync(outputPath, `${JSON.stringify(catalog)}\n`);
console.log(
  `wrote ${outputPath}: OCSF ${catalog.version}, ${Object.keys(classes).length} classes, ` +
    `${readFileSync(outputPath).length} bytes`,
);
