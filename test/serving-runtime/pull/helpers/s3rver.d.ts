declare module "s3rver" {
  import type { AddressInfo } from "node:net";

  /** The subset of s3rver 3's options the tests use. */
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    configureBuckets?: { name: string }[];
  }

  /** s3rver 3: a local S3-compatible server on the file system. */
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
