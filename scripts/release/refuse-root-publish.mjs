// `prepublishOnly` of the repository's package.json: its manifest carries `prepare` and the
// development fields, which a release must not. Publish the staged tarball instead.
process.stderr.write(
  "pulumi-hybridai: publish the release tarball, not the repository folder:\n" +
    "  npm run pack:release && npm publish ./pulumi-hybridai-<version>.tgz\n",
);
process.exit(1);
