// Prints {"<file>.tf": <its HCL as JSON>, ...} for every .tf file of the folder given.
const fs = require("fs");
const path = require("path");
const { parse } = require("@cdktf/hcl2json");

async function main() {
  const dir = process.argv[2];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort();
  const parsed = {};
  for (const file of files) {
    parsed[file] = await parse(file, fs.readFileSync(path.join(dir, file), "utf8"));
  }
  process.stdout.write(JSON.stringify(parsed));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
