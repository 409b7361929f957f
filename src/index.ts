/** wsclose as a library: the pipeline pieces the CLI and the span processor are made of. */
export * from './model.js';
export { Analyzer, type AnalyzerOptions, type AnalyzerStats } from './analyzer.js';
export { analyzeFiles, type AnalyzeOptions } from './analyze.js';
export { classify } from './classifier.js';
export { closeCodeInfo, type CloseCodeInfo } from './codes.js';
export { Correlator, type CorrelatorOptions, type CorrelatorStats, type Incident } from './correlator.js';
export { Profiles, type EndpointProfile } from './profile.js';
export { SCHEMA_VERSION, type FileStats, type InputStats, type Report } from './report.js';
export { addVerdict, emptySummary, mergeSummaries, type Summary } from './summary.js';
export { renderJson } from './renderers/json.js';
export { renderMarkdown } from './renderers/markdown.js';
export { renderText } from './renderers/text.js';
export { renderHtml } from './renderers/html.js';
export { mergeReports } from './merge.js';
export type { VerdictFilter } from './filter.js';
export { PARSERS, detectParser, parserByName } from '../parsers/index.js';
export type { Parser, ParserOptions, ParserSink, LineParser, FieldMap } from '../parsers/index.js';
export {
  CloseCauseSpanProcessor, verdictAttributes, VERDICT_SPAN, type CloseCauseSpanProcessorOptions,
} from './otel/processor.js';
export {
  instrumentWebSocketServer, CONNECTION_ID, type InstrumentOptions, type InstrumentedServer,
} from './otel/instrument.js';
export { INCIDENTS_METRIC } from './otel/metrics.js';
export { SpanMapper, mapSpans, type SpanData, type SpanMapping, type SpanRole } from './otel/spans.js';
