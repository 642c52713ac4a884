/** The one Kubernetes service account a model store lets read its models (AWS and GCP alike). */
export interface ModelReaderSpec {
  /** Its namespace. Default `hybridai`. */
  namespace?: string;
  /** Its name. Default `model-reader`. */
  serviceAccountName?: string;
}
