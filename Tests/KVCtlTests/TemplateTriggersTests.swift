import KVServer
import Testing

@testable import KVCtlCore

/// Triggers read from SAM / CloudFormation templates.
/// See https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-dynamodb.html
@Suite struct TemplateTriggersTests {
    static let template = """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Orders:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: orders
          Processor:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: order-processor
              Events:
                Stream:
                  Type: DynamoDB
                  Properties:
                    Stream: !GetAtt Orders.StreamArn
                    StartingPosition: TRIM_HORIZON
                    BatchSize: 25
                    BisectBatchOnFunctionError: true
                    FunctionResponseTypes: [ReportBatchItemFailures]
                Api:
                  Type: Api
                  Properties: {Path: /, Method: get}
          Audit:
            Type: AWS::Lambda::Function
            Properties: {}
          AuditMapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              EventSourceArn:
                Fn::GetAtt: [Orders, StreamArn]
              FunctionName: !Ref Audit
              StartingPosition: LATEST
              MaximumRetryAttempts: 2
        """

    @Test func readsFunctionEventsAndMappings() throws {
        let triggers = try TemplateTriggers.parse(Self.template)
        #expect(triggers.count == 2)
        let mapping = try #require(triggers.first { $0.name == "AuditMapping" })
        #expect(mapping.source == .table("orders"))
        #expect(mapping.functionName == "Audit")
        #expect(mapping.settings["MaximumRetryAttempts"] == .number("2"))
        let event = try #require(triggers.first { $0.name == "Processor.Stream" })
        #expect(event.source == .table("orders"))
        #expect(event.functionName == "order-processor")
        #expect(event.settings["BatchSize"] == .number("25"))
        #expect(event.settings["BisectBatchOnFunctionError"] == .bool(true))
        #expect(event.settings["FunctionResponseTypes"] == .array([.string("ReportBatchItemFailures")]))
        #expect(event.settings["StartingPosition"] == .string("TRIM_HORIZON"))
    }

    @Test func refusesUnresolvableStreams() {
        let text = """
            Resources:
              F:
                Type: AWS::Serverless::Function
                Properties:
                  Events:
                    S: {Type: DynamoDB, Properties: {Stream: !GetAtt Missing.StreamArn, StartingPosition: LATEST}}
            """
        #expect(throws: CLIError.self) { try TemplateTriggers.parse(text) }
    }
}
