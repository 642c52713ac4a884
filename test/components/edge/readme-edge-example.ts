import * as pulumi from "@pulumi/pulumi";
import { edge } from "pulumi-hybridai";

/** The edge example of docs/edge.md ("Edge in 20 lines"), kept compiling and running by readme-edge-example.test.ts. */
export function readmeEdgeExample() {
  const config = new pulumi.Config();
  const secret = (key: string) => config.requireSecret(key); // `pulumi config set --secret`
  const berlin = new edge.EdgeHost("berlin", {
    connection: { host: "10.20.0.5", user: "ops", privateKey: secret("sshKey") },
    arch: "arm64", // a Raspberry Pi 5: k3s v1.35.0+k3s1, checksum-pinned
    token: secret("k3sToken"),
  });

  const fleet = new edge.EdgeFleet("ranker", {
    model: { uri: "https://models.acme.example/ranker", revision: "2026-05-01" },
    image: "ghcr.io/acme/hybridai-serving-runtime:0.1.0", // linux/amd64 + linux/arm64
    cloudFallback: { url: "https://ranker.acme.example", tokenSecret: secret("cloudToken") },
    sites: [
      { name: "berlin", ring: 0, region: "eu", arch: "arm64", kubeconfig: berlin.kubeconfig },
      { name: "paris", ring: 1, region: "eu", devices: 2, kubeconfig: secret("paris") },
      { name: "lyon", ring: 1, region: "eu", kubeconfig: secret("lyon"), threads: 4 },
    ],
  });

  return { sites: fleet.sites }; // per site: ring, region, arch, modelRevision, image, url
}
