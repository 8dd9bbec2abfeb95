//! The deployment template (AWS SAM / CloudFormation) for the function, made from the registry
//! so that what can only be known from the forms — the CORS origins of the municipalities, a
//! lifecycle rule per form version from its `retention-days`, the sign-in and payment routes
//! of the municipalities that offer them and the exact secrets they read — is never written
//! by hand.
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
    let sign_in = !crate::sam_secrets::sign_in_municipalities(registry).is_empty();
    let payment = crate::sam_reconcile::has_payment(registry);
    let parts = Parts::new(registry, sign_in, payment);

    format!(
        r#"# Formfabrik submission function: AWS SAM template.
# Generated from the registry by `submit-fn template`; do not edit by hand. Regenerate with
#   cargo run -p submit-fn -- template --forms forms > submit-fn/template.yaml
# Build first (see docs/deploy.md):
#   cargo lambda build --profile lambda --arm64 -p submit-fn -p report-fn
#   cp dist/function/registry.json dist/function/theme.json target/lambda/submit-fn/
{build_sign_in}{notes}AWSTemplateFormatVersion: "2010-09-09"
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
{sign_in_parameters}{reconcile_parameters}{report_parameters}
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
      # Direct uploads: the municipalities' pages post files to the bucket with a POST policy
      # the function signed (key, type and size fixed); nothing else crosses origins.
      CorsConfiguration:
        CorsRules:
          - Id: direct-uploads
            AllowedMethods: [POST]
            AllowedOrigins:
{bucket_origins}            AllowedHeaders: ["*"]
            MaxAge: 600
      LifecycleConfiguration:
        Rules:
          - Id: abort-incomplete-multipart-uploads
            Status: Enabled
            AbortIncompleteMultipartUpload:
              DaysAfterInitiation: 1
{rules}          # Direct uploads that were never submitted (submitted ones are moved at once).
          - Id: {staging}
            Status: Enabled
            Prefix: !Sub "${{StoragePrefix}}/{staging}/"
            ExpirationInDays: {staging_days}
          - Id: {drafts}
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
      # Room for a submission's files, which it holds while it checks and stores them.
      MemorySize: 1024
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
{sign_in_env}      Policies:
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
            # Direct uploads: the staged files of a submission are read (checked, then stored
            # with it through WriteSubmissions) and deleted; nothing else is.
            - Sid: TakeStagedUploads
              Effect: Allow
              Action: [s3:GetObject, s3:DeleteObject]
              Resource: !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/{staging}/*"
            - Sid: TellMissingClaimsFromDenied
              Effect: Allow
              Action: s3:ListBucket
              Resource: !GetAtt SubmissionsBucket.Arn
{function_statements}      Events:
        Submit:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: POST
            Path: /v1/{{municipality}}/{{form}}
        # Direct uploads: one signed POST policy per file (the file goes to the bucket).
        Upload:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: POST
            Path: /v1/{{municipality}}/{{form}}/{upload}
        # Where a browser form post (no JavaScript) is redirected: the page with the reference.
        Confirmation:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: GET
            Path: /v1/{{municipality}}/{{form}}/{confirmation}
        # The receipt PDF of a stored submission, on request (the confirmation page's button).
        Receipt:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: POST
            Path: /v1/{{municipality}}/{{form}}/{receipt}
{events}
{reconcile_resources}{report_resources}  SubmissionApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      # API Gateway answers CORS preflights itself, for the municipalities' sites only. (The
      # confirmation page is opened by the browser itself, GET without CORS.)
{cors_comment}      CorsConfiguration:
        AllowOrigins:
{origins}{cors_credentials}        AllowMethods:
{cors_methods}        AllowHeaders:
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
        staging = store::upload::STAGING,
        staging_days = store::upload::STAGING_DAYS,
        upload = crate::handler::PRESIGN_SEGMENT,
        bucket_origins = origins.replace("          - ", "              - "),
        draft_days = store::drafts::DEFAULT_DAYS,
        confirmation = crate::route::CONFIRMATION_SEGMENT,
        receipt = crate::route::RECEIPT_SEGMENT,
        report_parameters = crate::sam_report::parameters(),
        report_conditions = crate::sam_report::conditions(),
        report_resources = crate::sam_report::resources(registry),
        reconcile_parameters = crate::sam_reconcile::parameters(registry),
        reconcile_resources = crate::sam_reconcile::resources(registry, code_uri),
        build_sign_in = parts.build_sign_in,
        notes = parts.notes,
        sign_in_parameters = parts.sign_in_parameters,
        sign_in_env = parts.sign_in_env,
        function_statements = parts.function_statements,
        events = parts.events,
        cors_comment = parts.cors_comment,
        cors_credentials = parts.cors_credentials,
        cors_methods = parts.cors_methods,
    )
}

/// The pieces of the template that depend on whether some municipality offers sign-in or
/// payment.
struct Parts {
    build_sign_in: &'static str,
    notes: String,
    sign_in_parameters: String,
    sign_in_env: &'static str,
    function_statements: String,
    events: String,
    cors_comment: &'static str,
    cors_credentials: &'static str,
    cors_methods: &'static str,
}

impl Parts {
    fn new(registry: &Registry, sign_in: bool, payment: bool) -> Parts {
        use crate::sam_secrets::{DEFAULT_SECRETS_PATH, SecretAccess};
        let payment_secrets = SecretAccess::payment(registry);
        let mut statements = String::new();
        let mut events = String::new();
        if sign_in {
            statements.push_str(
                &SecretAccess::sign_in(registry)
                    .statements("ReadSignIn", "Sign-in's secrets below SecretsPath"),
            );
            events.push_str(SIGN_IN_EVENTS);
        }
        if payment {
            statements.push_str(crate::sam_reconcile::read_payment_objects());
            statements.push_str(&payment_secrets.statements(
                "ReadPaymentPlatform",
                "The payment platforms' credentials, as the registry names them",
            ));
            events.push_str(PAYMENT_EVENTS);
        }
        Parts {
            build_sign_in: if sign_in {
                "#   cp sign-in.json target/lambda/submit-fn/    # the brokers (docs/identity.md)\n"
            } else {
                ""
            },
            notes: payment_secrets.comments(),
            sign_in_parameters: if sign_in {
                format!(
                    r#"  SecretsPath:
    Type: String
    Default: {DEFAULT_SECRETS_PATH}
    AllowedPattern: "^(/[A-Za-z0-9_.-]+)+$"
    Description: SSM Parameter Store path of sign-in's secrets (session-keys, oidc-client-secret or oidc-client-private-key, optionally below <municipality>/)
"#
                )
            } else {
                String::new()
            },
            sign_in_env: if sign_in {
                "          FORMFABRIK_SIGN_IN: sign-in.json\n          FORMFABRIK_SECRETS: !Sub \"ssm:${SecretsPath}\"\n"
            } else {
                ""
            },
            function_statements: statements,
            events,
            cors_comment: if sign_in {
                "      # Sign-in's prefill and drafts are read with the session cookie (credentials: \"include\"):\n      # credentials are allowed, so the origins are exact, never \"*\".\n"
            } else {
                ""
            },
            cors_credentials: if sign_in {
                "        AllowCredentials: true\n"
            } else {
                ""
            },
            cors_methods: if sign_in {
                "          - GET\n          - POST\n"
            } else {
                "          - POST\n"
            },
        }
    }
}

/// The sign-in routes (`crate::auth::route`): login, callback, prefill, logout, draft.
const SIGN_IN_EVENTS: &str = r#"        # Sign-in with BundID (docs/identity.md): login, callback, prefill, logout (GET) and the
        # signed-in citizen's draft (GET to read, POST to save), logout also by POST.
        SignIn:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: GET
            Path: /v1/{municipality}/auth/{action}
        SignInPost:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: POST
            Path: /v1/{municipality}/auth/{action}
"#;

/// The payment routes (`crate::payment::route`): the return from the platform, try again,
/// withdraw and send without payment.
const PAYMENT_EVENTS: &str = r#"        # Payment (docs/payment.md): where the platform sends the browser back, and the buttons
        # after a payment that did not go through (retry, cancel, without-payment).
        PaymentReturn:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: GET
            Path: /v1/{municipality}/payment/{id}/return
        PaymentButtons:
          Type: HttpApi
          Properties:
            ApiId: !Ref SubmissionApi
            Method: POST
            Path: /v1/{municipality}/payment/{id}/{action}
"#;
