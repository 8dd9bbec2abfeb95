//! The scheduled back-office report in the deployment template: a small Lambda (`report-fn`)
//! that an EventBridge schedule invokes; it makes `inbox report` from the bucket and sends it
//! through SES's SMTP interface. Only when `ReportRecipients` is given. Its role may list the
//! bucket and read claims, leases, acknowledgements and earlier reports — never a submission
//! object — and write `_reports/` only. Written here because submit-fn owns the template;
//! the function itself links nothing of it.

use form_model::registry::Registry;

/// Where `cargo lambda build --release --arm64 -p report-fn` puts the report's bootstrap.
pub const REPORT_CODE_URI: &str = "../target/lambda/report-fn/";

/// The report's parameters (after the function's).
pub fn parameters() -> &'static str {
    r#"  ReportRecipients:
    Type: String
    Default: ""
    Description: Who gets the back office's report, comma-separated; empty for no scheduled report
  ReportSender:
    Type: String
    Default: ""
    Description: The report's sender, an address or domain verified in SES
  ReportSmtpSecret:
    Type: String
    Default: formfabrik/report-smtp
    Description: Name of the Secrets Manager secret with SES SMTP credentials (JSON with username and password)
  ReportSchedule:
    Type: String
    Default: cron(0 5 ? * MON-FRI *)
    Description: When the report is sent (EventBridge schedule expression, UTC)
"#
}

/// `Conditions:` of the template.
pub fn conditions() -> &'static str {
    r#"Conditions:
  ReportEnabled: !Not [!Equals [!Ref ReportRecipients, ""]]
"#
}

/// The report's resources, for the municipalities of `registry`.
pub fn resources(registry: &Registry) -> String {
    let mut municipalities: Vec<&str> = registry
        .municipalities
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    municipalities.sort_unstable();
    format!(
        r#"  ReportFunctionLogs:
    Type: AWS::Logs::LogGroup
    Condition: ReportEnabled
    Properties:
      RetentionInDays: !Ref LogRetentionDays

  # The back office's report (docs/backoffice.md, "The report"): counts and references from the
  # bucket's plaintext objects, sent through SES's SMTP interface with STARTTLS.
  ReportFunction:
    Type: AWS::Serverless::Function
    Condition: ReportEnabled
    Properties:
      Description: Mails the back office a summary of new, imported, failed and waiting submissions
      CodeUri: {REPORT_CODE_URI}
      Handler: bootstrap
      Runtime: provided.al2023
      Architectures:
        - arm64
      MemorySize: 256
      Timeout: 120
      LoggingConfig:
        LogGroup: !Ref ReportFunctionLogs
      Environment:
        Variables:
          FORMFABRIK_STORE: !Sub "s3://${{SubmissionsBucket}}/${{StoragePrefix}}"
          FORMFABRIK_REPORT_MUNICIPALITIES: "{municipalities}"
          FORMFABRIK_REPORT_LANGUAGE: de
          FORMFABRIK_SMTP_HOST: !Sub "email-smtp.${{AWS::Region}}.amazonaws.com"
          FORMFABRIK_SMTP_PORT: "587"
          # Resolved by CloudFormation at deploy time: anyone who may read the function's
          # configuration sees them, so grant lambda:GetFunctionConfiguration narrowly. SES
          # SMTP credentials can only send mail from the verified sender.
          FORMFABRIK_SMTP_USER: !Sub "{{{{resolve:secretsmanager:${{ReportSmtpSecret}}:SecretString:username}}}}"
          FORMFABRIK_SMTP_PASSWORD: !Sub "{{{{resolve:secretsmanager:${{ReportSmtpSecret}}:SecretString:password}}}}"
          FORMFABRIK_SMTP_FROM: !Ref ReportSender
          FORMFABRIK_SMTP_TO: !Ref ReportRecipients
          FORMFABRIK_LOG: info
      Policies:
        - Version: "2012-10-17"
          Statement:
            # Key names: which submissions are complete, imported, leased.
            - Sid: ListSubmissions
              Effect: Allow
              Action: s3:ListBucket
              Resource: !GetAtt SubmissionsBucket.Arn
            # Plaintext objects without answers only: claims (reference, time received),
            # leases, acknowledgements, earlier reports. No submission, no attachment.
            - Sid: ReadPlaintextBookkeeping
              Effect: Allow
              Action: s3:GetObject
              Resource:
                - !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/_claims/*"
                - !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/_leases/*"
                - !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/_acks/*"
                - !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/_reports/*"
            # What the next report counts from, written once the mail was accepted.
            - Sid: RememberReports
              Effect: Allow
              Action: s3:PutObject
              Resource: !Sub "${{SubmissionsBucket.Arn}}/${{StoragePrefix}}/_reports/*"
      Events:
        Scheduled:
          Type: Schedule
          Properties:
            Schedule: !Ref ReportSchedule

"#,
        municipalities = municipalities.join(",")
    )
}
