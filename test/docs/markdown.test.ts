import { describe, expect, it } from "vitest";
import { anchors, githubSlug, headings, links } from "./markdown";

describe("githubSlug", () => {
  it("lower-cases, drops punctuation but '-' and '_', and turns each space into '-'", () => {
    expect(githubSlug("Remote fallback: edge → cloud")).toBe("remote-fallback-edge--cloud");
    expect(githubSlug("Configuration reference (`config.pbtxt` / `config.json`)")).toBe(
      "configuration-reference-configpbtxt--configjson",
    );
    expect(githubSlug("`aws.EksCluster` (`hybridai:index:AwsEksCluster`)")).toBe(
      "awsekscluster-hybridaiindexawsekscluster",
    );
    expect(githubSlug("Device cache: `--cache-dir`, `--cache-keep`")).toBe(
      "device-cache---cache-dir---cache-keep",
    );
    expect(githubSlug("The `max_batch_size` knee")).toBe("the-max_batch_size-knee");
  });

  it("keeps a link's label", () => {
    expect(githubSlug("See [GCP](gcp.md) first")).toBe("see-gcp-first");
  });
});

describe("headings and anchors", () => {
  const page = [
    "# Title",
    "",
    "```sh",
    "# a shell comment, not a heading",
    "```",
    "## Example",
    "### Example",
    "#no-space is not a heading",
  ].join("\n");

  it("finds ATX headings outside fenced code", () => {
    expect(headings(page)).toEqual([
      { level: 1, text: "Title", line: 1 },
      { level: 2, text: "Example", line: 6 },
      { level: 3, text: "Example", line: 7 },
    ]);
  });

  it("suffixes repeated slugs as GitHub does", () => {
    expect([...anchors(page)]).toEqual(["title", "example", "example-1"]);
  });
});

describe("links", () => {
  it("finds inline links, not those in code spans or fenced code", () => {
    const page = [
      'See [AWS](aws.md#stack-aws-gpu) and [the site](https://example.com "title").',
      "Not `[code](x.md)`.",
      "```md",
      "[fenced](y.md)",
      "```",
      "| [`gke-tpu-v5e`](../examples/gke-tpu-v5e) | a table cell |",
    ].join("\n");
    expect(links(page)).toEqual([
      { target: "aws.md#stack-aws-gpu", line: 1 },
      { target: "https://example.com", line: 1 },
      { target: "../examples/gke-tpu-v5e", line: 6 },
    ]);
  });
});
