//! The scheduled payment reconciliation in the deployment template: the function's own
//! bootstrap in its reconcile mode (`FORMFABRIK_LAMBDA=reconcile`,
//! `submit_fn::payment::scheduled`), invoked by an EventBridge schedule. Only for a registry
//! with a municipality that has a payment platform. Its role lists the bucket, reads the
//! payment objects, claims and records awaiting payment, writes releases and deletes withdrawn
//! and expired submissions (docs/payment.md); it reads the payment platforms' secrets, never
//! sign-in's.

use form_model::registry::Registry;

use crate::sam_secrets::SecretAccess;

/// Whether the template has the reconciliation (and the payment routes).
pub fn has_payment(registry: &Registry) -> bool {
    registry.municipalities.iter().any(|m| m.payment.is_some())
}

/// The reconciliation's parameters.
pub fn parameters(registry: &Registry) -> &'static str {
    if !has_payment(registry) {
        return "";
    }
    r#"  ReconcileSchedule:
    Type: String
    Default: rate(5 minutes)
    Description: When payments are reconciled (XBezahldienste v1 has no push; EventBridge schedule expression)
"#
}

/// The S3 statements of a role that reads what the payment flow keeps: the payment objects and
/// the records awaiting payment (which a release copies), never another submission object.
pub fn read_payment_objects() -> &'static str {
    r#"            # The payment flow: attempts and markers, and the record awaiting payment that a
            # release copies under its own name. No other submission object.
            - Sid: ReadPaymentObjects
              Effect: Allow
              Action: s3:GetObject
              Resource:
                - !Sub "${SubmissionsBucket.Arn}/${StoragePrefix}/_payments/*"
                - !Sub "${SubmissionsBucket.Arn}/${StoragePrefix}/*/submission.awaiting.json"
                - !Sub "${SubmissionsBucket.Arn}/${StoragePrefix}/*/submission.awaiting.jwe"
"#
}

/// The reconciliation's resources.
pub fn resources(registry: &Registry, code_uri: &str) -> String {
    if !has_payment(registry) {
        return String::new();
    }
    let secrets = SecretAccess::payment(registry).statements(
        "ReadPaymentPlatform",
        "The payment platforms' credentials, as the registry names them",
    );
    format!(
        r#"  ReconcileFunctionLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: !Ref LogRetentionDays

  # Payment reconciliation (docs/payment.md): pulls the status of every submission awaiting
  # payment, releases the paid ones, expires the unpaid ones after expire-after-hours and
  # deletes withdrawn and expired ones. The submission function's bootstrap in reconcile mode.
  ReconcileFunction:
    Type: AWS::Serverless::Function
    Properties:
      Description: Releases paid submissions, expires and deletes unpaid ones (payment reconciliation)
      CodeUri: {code_uri}
      Handler: bootstrap
      Runtime: provided.al2023
      Architectures:
        - arm64
      MemorySize: 256
      Timeout: 300
      LoggingConfig:
        LogGroup: !Ref ReconcileFunctionLogs
      Environment:
        Variables:
          FORMFABRIK_LAMBDA: reconcile
          FORMFABRIK_REGISTRY: registry.json
          FORMFABRIK_STORE: !Sub "s3://${{SubmissionsBucket}}/${{StoragePrefix}}"
          FORMFABRIK_LOG: info
      # A failed run is not retried: the next scheduled one does the same, safely.
      EventInvokeConfig:
        MaximumRetryAttempts: 0
      Policies:
        - Version: "2012-10-17"
          Statement:
            # Which submissions have payment objects, and what a submission's folder holds.
            - Sid: ListSubmissions
              Effect: Allow
              Action: s3:ListBucket
              Resource: !GetAtt SubmissionsBucket.Arn
{read}            # Releases (payment.json, the marker, the record) and expiry markers, create-only.
            - Sid: ReleaseAndMark
              Effect: Allow
              Action: s3:PutObject
              Resource: !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/*"
            # Withdrawn and expired submissions are deleted: the awaiting record, attachments,
            # metadata, claim and payment objects (never one that was released).
            - Sid: DeleteUnpaid
              Effect: Allow
              Action: s3:DeleteObject
              Resource: !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/*"
{secrets}      Events:
        Scheduled:
          Type: Schedule
          Properties:
            Schedule: !Ref ReconcileSchedule

"#,
        read = read_payment_objects(),
    )
}
