//! The deployment template (AWS SAM / CloudFormation) for the function, made from the registry
//! so that what can only be known from the forms — the CORS origins of the municipalities and
//! a lifecycle rule per form version from its `retention-days` — is never written by hand.
//! `submit-fn template` prints it; `submit-fn/template.yaml` is its output for `forms/`, and a
//! test keeps the two equal.

use std::fmt::Write;

use form_model::registry::Registry;

/// Where the built function is, relative to the template (`cargo lambda build --profile lambda
/// --arm64` writes `target/lambda/submit-fn/bootstrap`).
pub const DEFAULT_CODE_URI: &str = "../target/lambda/submit-fn/";

/// The template for `registry`.
pub fn template(registry: &Registry, code_uri: &str) -> String {
    let mut origins: Vec<&str> = registry
        .municipalities
        .iter()
        .map(|m| m.site_origin.trim_end_matches('/'))
        .collect();
    origins.sort_unstable();
    origins.dedup();

    // One rule per form version; claims, leases and acks live as long as the longest-kept form
    // of their municipality (store::lifecycle, shared with dist/function/lifecycle.json).
    let mut rules = String::new();
    for rule in store::lifecycle::rules(registry) {
        write!(
            rules,
            "          - Id: {}\n            Status: Enabled\n            Prefix: !Sub \"${{StoragePrefix}}/{}\"\n            ExpirationInDays: {}\n",
            rule.id, rule.prefix, rule.days
        )
        .expect("writing to a String");
    }
    let origins: String = origins
        .iter()
        .map(|o| format!("          - \"{o}\"\n"))
        .collect();

    format!(
        r#"# Formfabrik submission function: AWS SAM template.
# Generated from the registry by `submit-fn template`; do not edit by hand. Regenerate with
#   cargo run -p submit-fn -- template --forms forms > submit-fn/template.yaml
# Build first (see docs/deploy.md):
#   cargo lambda build --profile lambda --arm64 -p submit-fn -p report-fn
#   cp dist/function/registry.json dist/function/theme.json target/lambda/submit-fn/
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Formfabrik submission function - validates citizens' submissions and stores them

Parameters:
  StoragePrefix:
    Type: String
    Default: {default_prefix}
    AllowedPattern: "^[a-z0-9][a-z0-9-]*$"
    Description: Key prefix of all submissions in the bucket
  LogRetentionDays:
    Type: Number
    Default: 30
    AllowedValues: [1, 3, 5, 7, 14, 30, 60, 90]
    Description: How long the function's logs are kept (they hold no submitted values)
  DraftRetentionDays:
    Type: Number
    Default: {draft_days}
    MinValue: 1
    MaxValue: 365
    Description: Days a signed-in citizen's saved draft is kept (removed earlier when the form is sent)
{report_parameters}
{report_conditions}
Resources:
  SubmissionsBucket:
    Type: AWS::S3::Bucket
    # Acknowledged submissions must survive the stack.
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
            BucketKeyEnabled: true
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      OwnershipControls:
        Rules:
          - ObjectOwnership: BucketOwnerEnforced
      LifecycleConfiguration:
        Rules:
          - Id: abort-incomplete-multipart-uploads
            Status: Enabled
            AbortIncompleteMultipartUpload:
              DaysAfterInitiation: 1
{rules}          - Id: {drafts}
            Status: Enabled
            Prefix: !Sub "${{StoragePrefix}}/{drafts}/"
            ExpirationInDays: !Ref DraftRetentionDays

  SubmissionsBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref SubmissionsBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: DenyInsecureTransport
            Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource:
              - !GetAtt SubmissionsBucket.Arn
              - !Sub "${{SubmissionsBucket.Arn}}/*"
            Condition:
              Bool:
                aws:SecureTransport: "false"

  SubmitFunctionLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: !Ref LogRetentionDays

  SubmitFunction:
    Type: AWS::Serverless::Function
    Properties:
      Description: Validates submissions with form-model and stores them create-only
      CodeUri: {code_uri}
      Handler: bootstrap
      Runtime: provided.al2023
      Architectures:
        - arm64
      MemorySize: 256
      # Below API Gateway's 30 s; the store client gives up after 20 s and answers 503.
      Timeout: 25
      LoggingConfig:
        LogGroup: !Ref SubmitFunctionLogs
      Environment:
        Variables:
          FORMFABRIK_REGISTRY: registry.json
          FORMFABRIK_STORE: !Sub "s3://${{SubmissionsBucket}}/${{StoragePrefix}}"
          FORMFABRIK_LOG: info
          FORMFABRIK_DRAFT_DAYS: !Ref DraftRetentionDays
      Policies:
        - Version: "2012-10-17"
          Statement:
            # Every object the function writes: claims, attachments, submission.json.
            - Sid: WriteSubmissions
              Effect: Allow
              Action: s3:PutObject
              Resource: !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/*"
            # The idempotency check reads claims only (id, path, reference, time and a
            # content hash; no answers). It never reads submissions or attachments.
            - Sid: ReadClaims
              Effect: Allow
              Action: s3:GetObject
              Resource: !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/_claims/*"
            # Without ListBucket, S3 answers 403 instead of 404 for a claim that does not
            # exist yet, and the function could not tell "new id" from "no access". It lets
            # the function see key names (municipality, form, date, id), never contents.
            # Drafts of signed-in citizens (sealed, named by a keyed hash): saved again,
            # read back with a session, removed when the form is sent.
            - Sid: KeepDrafts
              Effect: Allow
              Action: [s3:GetObject, s3:DeleteObject]
              Resource: !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/{drafts}/*"
            - Sid: TellMissingClaimsFromDenied
              Effect: Allow
              Action: s3:ListBucket
              Resource: !GetAtt SubmissionsBucket.Arn
      Events:
        Submit:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: POST
            Path: /v1/{{municipality}}/{{form}}
        # Where a browser form post (no JavaScript) is redirected: the page with the reference.
        Confirmation:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: GET
            Path: /v1/{{municipality}}/{{form}}/{confirmation}

{report_resources}  SubmissionApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      # API Gateway answers CORS preflights itself, for the municipalities' sites only. (The
      # confirmation page is opened by the browser itself, GET without CORS.)
      CorsConfiguration:
        AllowOrigins:
{origins}        AllowMethods:
          - POST
        AllowHeaders:
          - content-type
          - accept
          - accept-language
        MaxAge: 600
      DefaultRouteSettings:
        ThrottlingBurstLimit: 50
        ThrottlingRateLimit: 20

Outputs:
  SubmissionEndpoint:
    Description: The submission-endpoint for municipality.yaml
    Value: !Sub "https://${{SubmissionApi}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/v1"
  SubmissionsBucketName:
    Description: Bucket the back office imports from
    Value: !Ref SubmissionsBucket
"#,
        default_prefix = store::lifecycle::DEFAULT_STORAGE_PREFIX,
        drafts = store::drafts::DRAFTS,
        draft_days = store::drafts::DEFAULT_DAYS,
        confirmation = crate::route::CONFIRMATION_SEGMENT,
        report_parameters = crate::sam_report::parameters(),
        report_conditions = crate::sam_report::conditions(),
        report_resources = crate::sam_report::resources(registry),
    )
}
