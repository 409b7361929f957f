/**
 * The pipeline after parsing, shared by the CLI and the span processor: events go to the
 * correlator, ended connections to the classifier, verdicts to the summary. Verdicts that
 * rest on a learned endpoint profile are held and re-checked at end of input, when the
 * profile is complete.
 */
import { judge, verdictOf, type ClassifyOptions, type Judgement } from './classifier.js';
import { Correlator, type CorrelatorOptions, type Incident } from './correlator.js';
import { isEmptyFilter, matches, type VerdictFilter } from './filter.js';
import type { Accepts, RootCause, Verdict, WsEvent } from './model.js';
import { Profiles, provisional } from './profile.js';
import { Tally, type Summary } from './summary.js';

export interface AnalyzerOptions {
  /** Accepted data type per route, from the user: `[['/chat', 'text']]`. */
  expect?: Iterable<[string, Accepts]>;
  showPayloads?: boolean;
  correlator?: CorrelatorOptions;
  /** Called once per ended connection with its final verdict. */
  onVerdict?: (v: Verdict) => void;
  /**
   * Called once per ended connection with its final judgement, before any verdict is written:
   * a caller that needs the text of only some verdicts writes those itself (`verdictOf`).
   */
  onJudgement?: (j: Judgement) => void;
  /** Verdicts held for the end-of-input re-check at most; beyond it they are final at close. */
  maxPending?: number;
  /** Incident verdicts kept for the report at most; the rest are counted in the summary only. */
  maxIncidents?: number;
  /**
   * Hold verdicts that rest on a still-learned profile until `finish()` (default true). A
   * long-running service (the span processor) needs every verdict at close: false.
   */
  recheck?: boolean;
  /** Verdicts outside it are counted in `filteredOut` and go nowhere else. */
  filter?: VerdictFilter;
}

export interface AnalyzerStats {
  /** Verdicts re-checked at end of input against the complete learned profiles. */
  rechecked: number;
  /** Of those, verdicts whose root cause changed. */
  changed: number;
  /** Verdicts that were final at close because the pending list was full. */
  pendingOverflow: number;
  /** Incident verdicts counted but not kept in the report's list. */
  incidentsOmitted: number;
  /** Verdicts left out by the filter (--since, --until, --route). */
  filteredOut: number;
}

export class Analyzer {
  readonly incidents: Verdict[] = [];
  readonly profiles = new Profiles();
  readonly stats: AnalyzerStats = { rechecked: 0, changed: 0, pendingOverflow: 0, incidentsOmitted: 0, filteredOut: 0 };
  readonly correlator: Correlator;
  /** Incidents held for the re-check, with the root cause they were first given. */
  private pending: [Incident, RootCause][] = [];
  private readonly maxPending: number;
  private readonly maxIncidents: number;
  private readonly filter: VerdictFilter | undefined;
  private readonly classifyOpts: ClassifyOptions;
  private finished = false;
  private readonly tally = new Tally();

  constructor(private readonly opts: AnalyzerOptions = {}) {
    for (const [route, accepts] of opts.expect ?? []) this.profiles.expect(route, accepts, 'user');
    this.correlator = new Correlator((inc) => this.ended(inc), opts.correlator);
    // What a big input holds beyond its open connections: a held incident (its recent events)
    // is about 2.7 KB, a listed verdict (its evidence) about 1.7 KB, and V8 keeps old space at
    // about twice what lives. Full, these caps hold about 11 MB: a 5 GB input fills them, a
    // 500 MB one does not, and peak memory must be the same for both.
    this.maxPending = opts.maxPending ?? 1_000;
    this.maxIncidents = opts.maxIncidents ?? 5_000;
    this.filter = isEmptyFilter(opts.filter) ? undefined : opts.filter;
    this.classifyOpts = { showPayloads: opts.showPayloads };
  }

  /** The summary of every verdict released so far. */
  get summary(): Summary {
    return this.tally.summary;
  }

  push(e: WsEvent): void {
    if (e.kind === 'accepts') this.profiles.expect(e.route, e.accepts, 'log', e.at);
    else this.correlator.push(e);
  }

  /** End of input: connections still open are counted, held verdicts are re-checked and released. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.correlator.end();
    const held = this.pending;
    this.pending = [];
    for (const [inc, first] of held) {
      const j = this.judge(inc);
      this.stats.rechecked++;
      if (j.rootCause !== first) this.stats.changed++;
      this.release(j);
    }
  }

  private judge(inc: Incident, profile = this.profiles.lookup(inc.route)): Judgement {
    return judge(inc, profile, this.classifyOpts);
  }

  private ended(inc: Incident): void {
    const profile = this.profiles.lookup(inc.route);
    const j = this.judge(inc, profile);
    if (!j.incident) {
      if (inc.route) this.profiles.learn(inc.route, inc.inbound, inc.close.at);
      this.release(j);
      return;
    }
    // A data frame on a route whose profile is still being learned: judge again at the end.
    if (this.opts.recheck !== false && inc.lastInbound && provisional(profile)) {
      if (this.pending.length < this.maxPending) {
        this.pending.push([inc, j.rootCause]);
        return;
      }
      this.stats.pendingOverflow++;
    }
    this.release(j);
  }

  /** Counts a verdict; its text is written only when it is listed or handed on. */
  private release(j: Judgement): void {
    if (this.filter && !matches(this.filter, j)) {
      this.stats.filteredOut++;
      return;
    }
    this.tally.add(j);
    const listed = j.incident && this.incidents.length < this.maxIncidents;
    if (j.incident && !listed) this.stats.incidentsOmitted++;
    this.opts.onJudgement?.(j);
    if (!listed && !this.opts.onVerdict) return;
    const v = verdictOf(j);
    if (listed) this.incidents.push(v);
    this.opts.onVerdict?.(v);
  }
}
