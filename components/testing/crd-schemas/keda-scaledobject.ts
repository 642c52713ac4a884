/**
 * The openAPIV3Schema of KEDA's ScaledObject (keda.sh/v1alpha1), as the pinned KEDA chart installs
 * it: taken from https://github.com/kedacore/charts/blob/v2.20.2/keda/templates/crds/crd-scaledobjects.yaml
 * (chart 2.20.2, KEDA 2.20.2), the Helm template lines removed. Data, not code: regenerate it from
 * that file when `KEDA_CHART` moves.
 */
export const KEDA_SCALED_OBJECT_SCHEMA: Record<string, unknown> = {
  description: "ScaledObject is a specification for a ScaledObject resource",
  properties: {
    apiVersion: {
      description:
        "APIVersion defines the versioned schema of this representation of an object.\nServers should convert recognized schemas to the latest internal value, and\nmay reject unrecognized values.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
      type: "string",
    },
    kind: {
      description:
        "Kind is a string value representing the REST resource this object represents.\nServers may infer this from the endpoint the client submits requests to.\nCannot be updated.\nIn CamelCase.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
      type: "string",
    },
    metadata: {
      type: "object",
    },
    spec: {
      description: "ScaledObjectSpec is the spec for a ScaledObject resource",
      properties: {
        advanced: {
          description: "AdvancedConfig specifies advance scaling options",
          properties: {
            horizontalPodAutoscalerConfig: {
              description: "HorizontalPodAutoscalerConfig specifies horizontal scale config",
              properties: {
                behavior: {
                  description:
                    "HorizontalPodAutoscalerBehavior configures the scaling behavior of the target\nin both Up and Down directions (scaleUp and scaleDown fields respectively).",
                  properties: {
                    scaleDown: {
                      description:
                        "scaleDown is scaling policy for scaling Down.\nIf not set, the default value is to allow to scale down to minReplicas pods, with a\n300 second stabilization window (i.e., the highest recommendation for\nthe last 300sec is used).",
                      properties: {
                        policies: {
                          description:
                            "policies is a list of potential scaling polices which can be used during scaling.\nIf not set, use the default values:\n- For scale up: allow doubling the number of pods, or an absolute change of 4 pods in a 15s window.\n- For scale down: allow all pods to be removed in a 15s window.",
                          items: {
                            description:
                              "HPAScalingPolicy is a single policy which must hold true for a specified past interval.",
                            properties: {
                              periodSeconds: {
                                description:
                                  "periodSeconds specifies the window of time for which the policy should hold true.\nPeriodSeconds must be greater than zero and less than or equal to 1800 (30 min).",
                                format: "int32",
                                type: "integer",
                              },
                              type: {
                                description: "type is used to specify the scaling policy.",
                                type: "string",
                              },
                              value: {
                                description:
                                  "value contains the amount of change which is permitted by the policy.\nIt must be greater than zero",
                                format: "int32",
                                type: "integer",
                              },
                            },
                            required: ["periodSeconds", "type", "value"],
                            type: "object",
                          },
                          type: "array",
                          "x-kubernetes-list-type": "atomic",
                        },
                        selectPolicy: {
                          description:
                            "selectPolicy is used to specify which policy should be used.\nIf not set, the default value Max is used.",
                          type: "string",
                        },
                        stabilizationWindowSeconds: {
                          description:
                            "stabilizationWindowSeconds is the number of seconds for which past recommendations should be\nconsidered while scaling up or scaling down.\nStabilizationWindowSeconds must be greater than or equal to zero and less than or equal to 3600 (one hour).\nIf not set, use the default values:\n- For scale up: 0 (i.e. no stabilization is done).\n- For scale down: 300 (i.e. the stabilization window is 300 seconds long).",
                          format: "int32",
                          maximum: 3600,
                          minimum: 0,
                          type: "integer",
                        },
                        tolerance: {
                          anyOf: [
                            {
                              type: "integer",
                            },
                            {
                              type: "string",
                            },
                          ],
                          description:
                            "tolerance is the tolerance on the ratio between the current and desired\nmetric value under which no updates are made to the desired number of\nreplicas (e.g. 0.01 for 1%). Must be greater than or equal to zero. If not\nset, the default cluster-wide tolerance is applied (by default 10%).\n\nFor example, if autoscaling is configured with a memory consumption target of 100Mi,\nand scale-down and scale-up tolerances of 5% and 1% respectively, scaling will be\ntriggered when the actual consumption falls below 95Mi or exceeds 101Mi.\n\nThis is an beta field and requires the HPAConfigurableTolerance feature\ngate to be enabled.",
                          pattern:
                            "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
                          "x-kubernetes-int-or-string": true,
                        },
                      },
                      type: "object",
                    },
                    scaleUp: {
                      description:
                        "scaleUp is scaling policy for scaling Up.\nIf not set, the default value is the higher of:\n  * increase no more than 4 pods per 60 seconds\n  * double the number of pods per 60 seconds\nNo stabilization is used.",
                      properties: {
                        policies: {
                          description:
                            "policies is a list of potential scaling polices which can be used during scaling.\nIf not set, use the default values:\n- For scale up: allow doubling the number of pods, or an absolute change of 4 pods in a 15s window.\n- For scale down: allow all pods to be removed in a 15s window.",
                          items: {
                            description:
                              "HPAScalingPolicy is a single policy which must hold true for a specified past interval.",
                            properties: {
                              periodSeconds: {
                                description:
                                  "periodSeconds specifies the window of time for which the policy should hold true.\nPeriodSeconds must be greater than zero and less than or equal to 1800 (30 min).",
                                format: "int32",
                                type: "integer",
                              },
                              type: {
                                description: "type is used to specify the scaling policy.",
                                type: "string",
                              },
                              value: {
                                description:
                                  "value contains the amount of change which is permitted by the policy.\nIt must be greater than zero",
                                format: "int32",
                                type: "integer",
                              },
                            },
                            required: ["periodSeconds", "type", "value"],
                            type: "object",
                          },
                          type: "array",
                          "x-kubernetes-list-type": "atomic",
                        },
                        selectPolicy: {
                          description:
                            "selectPolicy is used to specify which policy should be used.\nIf not set, the default value Max is used.",
                          type: "string",
                        },
                        stabilizationWindowSeconds: {
                          description:
                            "stabilizationWindowSeconds is the number of seconds for which past recommendations should be\nconsidered while scaling up or scaling down.\nStabilizationWindowSeconds must be greater than or equal to zero and less than or equal to 3600 (one hour).\nIf not set, use the default values:\n- For scale up: 0 (i.e. no stabilization is done).\n- For scale down: 300 (i.e. the stabilization window is 300 seconds long).",
                          format: "int32",
                          maximum: 3600,
                          minimum: 0,
                          type: "integer",
                        },
                        tolerance: {
                          anyOf: [
                            {
                              type: "integer",
                            },
                            {
                              type: "string",
                            },
                          ],
                          description:
                            "tolerance is the tolerance on the ratio between the current and desired\nmetric value under which no updates are made to the desired number of\nreplicas (e.g. 0.01 for 1%). Must be greater than or equal to zero. If not\nset, the default cluster-wide tolerance is applied (by default 10%).\n\nFor example, if autoscaling is configured with a memory consumption target of 100Mi,\nand scale-down and scale-up tolerances of 5% and 1% respectively, scaling will be\ntriggered when the actual consumption falls below 95Mi or exceeds 101Mi.\n\nThis is an beta field and requires the HPAConfigurableTolerance feature\ngate to be enabled.",
                          pattern:
                            "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
                          "x-kubernetes-int-or-string": true,
                        },
                      },
                      type: "object",
                    },
                  },
                  type: "object",
                },
                name: {
                  type: "string",
                },
              },
              type: "object",
            },
            restoreToOriginalReplicaCount: {
              type: "boolean",
            },
            scalingModifiers: {
              description: "ScalingModifiers describes advanced scaling logic options like formula",
              properties: {
                activationTarget: {
                  type: "string",
                },
                formula: {
                  type: "string",
                },
                metricType: {
                  description:
                    'MetricTargetType specifies the type of metric being targeted, and should be either\n"Value", "AverageValue", or "Utilization"',
                  enum: ["AverageValue", "Value"],
                  type: "string",
                },
                target: {
                  type: "string",
                },
              },
              type: "object",
            },
          },
          type: "object",
        },
        cooldownPeriod: {
          format: "int32",
          minimum: 0,
          type: "integer",
        },
        fallback: {
          description: "Fallback is the spec for fallback options",
          properties: {
            behavior: {
              default: "static",
              enum: [
                "static",
                "currentReplicas",
                "currentReplicasIfHigher",
                "currentReplicasIfLower",
                "scalingModifiers",
              ],
              type: "string",
            },
            failureThreshold: {
              format: "int32",
              minimum: 0,
              type: "integer",
            },
            replicas: {
              format: "int32",
              minimum: 0,
              type: "integer",
            },
          },
          required: ["failureThreshold", "replicas"],
          type: "object",
        },
        idleReplicaCount: {
          format: "int32",
          minimum: 0,
          type: "integer",
        },
        initialCooldownPeriod: {
          format: "int32",
          minimum: 0,
          type: "integer",
        },
        maxReplicaCount: {
          format: "int32",
          minimum: 1,
          type: "integer",
        },
        minReplicaCount: {
          format: "int32",
          minimum: 0,
          type: "integer",
        },
        pollingInterval: {
          format: "int32",
          minimum: 1,
          type: "integer",
        },
        scaleTargetRef: {
          description: "ScaleTarget holds the reference to the scale target Object",
          properties: {
            apiVersion: {
              type: "string",
            },
            envSourceContainerName: {
              type: "string",
            },
            kind: {
              type: "string",
            },
            name: {
              minLength: 1,
              type: "string",
            },
          },
          required: ["name"],
          type: "object",
        },
        triggers: {
          items: {
            description: "ScaleTriggers reference the scaler that will be used",
            properties: {
              authenticationRef: {
                description:
                  "AuthenticationRef points to the TriggerAuthentication or ClusterTriggerAuthentication object that\nis used to authenticate the scaler with the environment",
                properties: {
                  kind: {
                    description:
                      "Kind of the resource being referred to. Defaults to TriggerAuthentication.",
                    enum: ["TriggerAuthentication", "ClusterTriggerAuthentication"],
                    type: "string",
                  },
                  name: {
                    type: "string",
                  },
                },
                required: ["name"],
                type: "object",
              },
              metadata: {
                additionalProperties: {
                  type: "string",
                },
                type: "object",
              },
              metricType: {
                description:
                  'MetricTargetType specifies the type of metric being targeted, and should be either\n"Value", "AverageValue", or "Utilization"',
                type: "string",
              },
              name: {
                type: "string",
              },
              type: {
                minLength: 1,
                type: "string",
              },
              useCachedMetrics: {
                type: "boolean",
              },
            },
            required: ["metadata", "type"],
            type: "object",
          },
          minItems: 1,
          type: "array",
        },
      },
      required: ["scaleTargetRef", "triggers"],
      type: "object",
      "x-kubernetes-validations": [
        {
          message: "minReplicaCount must be less than or equal to maxReplicaCount",
          rule: "!has(self.minReplicaCount) || self.minReplicaCount <= (has(self.maxReplicaCount) ? self.maxReplicaCount : 100)",
        },
      ],
    },
    status: {
      description: "ScaledObjectStatus is the status for a ScaledObject resource",
      properties: {
        authenticationsTypes: {
          type: "string",
        },
        compositeScalerName: {
          type: "string",
        },
        conditions: {
          description: "Conditions an array representation to store multiple Conditions",
          items: {
            description: "Condition to store the condition state",
            properties: {
              message: {
                description: "A human readable message indicating details about the transition.",
                type: "string",
              },
              reason: {
                description: "The reason for the condition's last transition.",
                type: "string",
              },
              status: {
                description: "Status of the condition, one of True, False, Unknown.",
                type: "string",
              },
              type: {
                description: "Type of condition",
                type: "string",
              },
            },
            required: ["status", "type"],
            type: "object",
          },
          type: "array",
        },
        externalMetricNames: {
          items: {
            type: "string",
          },
          type: "array",
        },
        health: {
          additionalProperties: {
            description: "HealthStatus is the status for a ScaledObject's health",
            properties: {
              numberOfFailures: {
                format: "int32",
                type: "integer",
              },
              status: {
                description:
                  "HealthStatusType is an indication of whether the health status is happy or failing",
                type: "string",
              },
            },
            type: "object",
          },
          type: "object",
        },
        hpaName: {
          type: "string",
        },
        lastActiveTime: {
          format: "date-time",
          type: "string",
        },
        originalReplicaCount: {
          format: "int32",
          type: "integer",
        },
        pausedReplicaCount: {
          format: "int32",
          type: "integer",
        },
        resourceMetricNames: {
          items: {
            type: "string",
          },
          type: "array",
        },
        scaleTargetGVKR: {
          description:
            "GroupVersionKindResource provides unified structure for schema.GroupVersionKind and Resource",
          properties: {
            group: {
              type: "string",
            },
            kind: {
              type: "string",
            },
            resource: {
              type: "string",
            },
            version: {
              type: "string",
            },
          },
          required: ["group", "kind", "resource", "version"],
          type: "object",
        },
        scaleTargetKind: {
          type: "string",
        },
        triggersActivity: {
          additionalProperties: {
            description:
              "TriggerActivityStatus represents the activity status of an external trigger",
            properties: {
              isActive: {
                type: "boolean",
              },
            },
            type: "object",
          },
          type: "object",
        },
        triggersTypes: {
          type: "string",
        },
      },
      type: "object",
    },
  },
  required: ["spec"],
  type: "object",
};
