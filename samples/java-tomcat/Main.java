// A real Apache Tomcat 10.1 (Debian's libtomcat10-embed-java) serving Jakarta WebSocket
// endpoints, logging with java.util.logging, driven by the JDK's own WebSocket client. Every
// scenario runs twice, at once, so log lines of sessions interleave. The log is written through
// Tomcat's OneLineFormatter (the catalina.out line shape: OUT/server.log); or, a JSON record a line
// (the usual shape of a Java service's log in a container), with `logstash` bridged to SLF4J and
// written by logback's LogstashEncoder (OUT/logstash.log), with `log4j2` by log4j2's JsonLayout
// (OUT/log4j2.log; generate.sh gives java.util.logging to log4j2). Beside it goes the verdict each
// session's scenario calls for (OUT/<name>.expected.json).
// Usage: samples/java-tomcat/generate.sh OUT [oneline|logstash|log4j2]
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.FileHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.juli.OneLineFormatter;
import org.apache.tomcat.websocket.server.WsSci;

public class Main {
  static final Logger LOG = Logger.getLogger("chat");

  static String who(Session s) {
    return "session " + s.getId() + " " + s.getRequestURI().getPath();
  }

  /** Shared logging of every endpoint: open, each message, close. */
  public abstract static class Logged {
    @OnOpen
    public void onOpen(Session s) throws IOException {
      LOG.info(who(s) + ": websocket opened");
      s.getBasicRemote().sendText("{\"session\":\"" + s.getId() + "\"}");
    }

    @OnClose
    public void onClose(Session s, CloseReason reason) {
      LOG.info(who(s) + ": closed: " + reason);
    }

    static void received(Session s, String kind, int bytes) {
      LOG.info(who(s) + ": received " + kind + " message (" + bytes + " bytes)");
    }
  }

  /** Text only: a binary frame is answered with 1003, as RFC 6455 asks. */
  @ServerEndpoint("/text")
  public static class Text extends Logged {
    @OnMessage
    public void text(Session s, String msg) throws IOException {
      received(s, "text", msg.length());
      s.getBasicRemote().sendText("echo:" + msg);
    }

    @OnMessage(maxMessageSize = 1024)
    public void binary(Session s, ByteBuffer data) throws IOException {
      received(s, "binary", data.remaining());
      s.close(new CloseReason(CloseReason.CloseCodes.CANNOT_ACCEPT, "text frames only"));
    }
  }

  /**
   * Decodes every message as UTF-8 JSON text without checking the frame type: a binary frame
   * fails to decode and the handler answers 1011, the tangled case.
   */
  @ServerEndpoint("/json")
  public static class Json extends Logged {
    @OnMessage
    public void text(Session s, String msg) throws IOException {
      received(s, "text", msg.length());
      s.getBasicRemote().sendText("{\"ok\":true}");
    }

    @OnMessage
    public void binary(Session s, ByteBuffer data) throws IOException {
      received(s, "binary", data.remaining());
      try {
        String msg = StandardCharsets.UTF_8.newDecoder().decode(data).toString();
        s.getBasicRemote().sendText("{\"ok\":true,\"len\":" + msg.length() + "}");
      } catch (IOException e) {
        LOG.log(Level.SEVERE, who(s) + ": message handler failed", e);
        s.close(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "internal error"));
      }
    }
  }

  /** A handler with a bug and no @OnError: Tomcat logs it and closes the session itself. */
  @ServerEndpoint("/buggy")
  public static class Buggy extends Logged {
    @OnMessage
    public void text(Session s, String msg) throws IOException {
      received(s, "text", msg.length());
      if (!msg.contains("\"id\"")) throw new IllegalStateException("bad payload: missing id", new IllegalArgumentException("no field id in " + msg.length() + " bytes"));
      s.getBasicRemote().sendText("{\"ok\":true}");
    }
  }

  // ---- clients ----

  record Frame(boolean binary, byte[] data) {}

  record Scenario(String name, String route, List<Frame> send, boolean clientCloses, String expect) {}

  static Frame text(String s) { return new Frame(false, s.getBytes(StandardCharsets.UTF_8)); }
  static Frame bin(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
    return new Frame(true, out);
  }

  static final List<Scenario> SCENARIOS = List.of(
      new Scenario("text-normal", "/text", List.of(text("hello"), text("how are you")), true,
          "\"rootCause\":\"normal\",\"closeCode\":1000,\"codeAgreement\":\"agrees\",\"incident\":false"),
      new Scenario("binary-to-text", "/text", List.of(text("hi"), bin(0, 0x9f, 0x92, 0x96)), false,
          "\"rootCause\":\"data-type-mismatch\",\"closeCode\":1003,\"codeAgreement\":\"agrees\",\"incident\":true"),
      new Scenario("json-normal", "/json", List.of(text("{\"op\":\"join\"}")), true,
          "\"rootCause\":\"normal\",\"closeCode\":1000,\"codeAgreement\":\"agrees\",\"incident\":false"),
      new Scenario("binary-to-json", "/json", List.of(text("{\"op\":\"join\"}"), bin(0, 0x9f, 0x92, 0x96)), false,
          "\"rootCause\":\"data-type-mismatch\",\"closeCode\":1011,\"codeAgreement\":\"disagrees\",\"incident\":true,\"exceptionType\":\"java.nio.charset.MalformedInputException\""),
      new Scenario("buggy-normal", "/buggy", List.of(text("{\"id\":7}")), true,
          "\"rootCause\":\"normal\",\"closeCode\":1000,\"codeAgreement\":\"agrees\",\"incident\":false"),
      new Scenario("handler-exception", "/buggy", List.of(text("{\"id\":7}"), text("{\"op\":\"whoami\"}")), false,
          "\"rootCause\":\"unhandled-error\",\"closeCode\":1002,\"reportedCode\":1006,\"codeAgreement\":\"disagrees\",\"incident\":true,\"exceptionType\":\"java.lang.IllegalStateException\",\"topFrame\":\"Main\\\\$Buggy\\\\.text\\\\(Main\\\\.java:\\\\d+\\\\)\""),
      new Scenario("too-big", "/text", List.of(new Frame(true, new byte[4096])), false,
          "\"rootCause\":\"message-too-big\",\"closeCode\":1009,\"codeAgreement\":\"agrees\",\"incident\":true"));

  /** Plays one scenario; completes with the session id the server gave it and the code the client saw. */
  static CompletableFuture<String> run(HttpClient http, int port, Scenario sc) {
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    CompletableFuture<String> sessionId = new CompletableFuture<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        String t = data.toString();
        if (t.startsWith("{\"session\":\"")) sessionId.complete(t.substring(12, t.length() - 2));
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        closed.complete(code);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        closed.complete(1006);
      }
    };
    return http.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + sc.route()), listener)
        .thenCompose(ws -> sessionId.thenApply(id -> ws))
        .thenCompose(ws -> {
          CompletableFuture<WebSocket> chain = CompletableFuture.completedFuture(ws);
          for (Frame f : sc.send()) {
            chain = chain.thenCompose(w -> (f.binary() ? w.sendBinary(ByteBuffer.wrap(f.data()), true) : w.sendText(new String(f.data(), StandardCharsets.UTF_8), true)))
                .thenCompose(w -> delay(w, 10));
          }
          if (sc.clientCloses()) chain = chain.thenCompose(w -> delay(w, 20)).thenCompose(w -> w.sendClose(1000, "done"));
          return chain.thenCompose(w -> closed).thenApply(code -> {
            String id = sessionId.join();
            return "{\"connection\":\"" + id + "\",\"scenario\":\"" + sc.name() + "\",\"route\":\"" + sc.route() + "\"," + sc.expect() + ",\"peerSaw\":" + code + "}";
          });
        });
  }

  static CompletableFuture<WebSocket> delay(WebSocket w, long ms) {
    return CompletableFuture.supplyAsync(() -> w, CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS));
  }

  public static void main(String[] args) throws Exception {
    try {
      generate(args);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  static void generate(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : ".");
    Files.createDirectories(out);
    String format = args.length > 1 ? args[1] : "oneline";
    String name = format.equals("oneline") ? "server" : format;
    Path base = Files.createTempDirectory("wsclose-tomcat");
    // log4j2: java.util.logging is log4j's (generate.sh starts the JVM with its LogManager and configuration).
    Runnable closeLog = switch (format) {
      case "logstash" -> logToLogstash(out.resolve(name + ".log"));
      case "log4j2" -> () -> {};
      default -> logToOneLine(out.resolve(name + ".log"));
    };

    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Context ctx = tomcat.addContext("", base.toString());
    ctx.addServletContainerInitializer(new WsSci(), Set.of(Text.class, Json.class, Buggy.class));
    // Tomcat's upgrade filter only runs for requests that map to a servlet: plain HTTP gets 426.
    Tomcat.addServlet(ctx, "upgrade-required", new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) {
        res.setStatus(426);
      }
    });
    ctx.addServletMappingDecoded("/*", "upgrade-required");
    tomcat.start();
    int port = tomcat.getConnector().getLocalPort();

    HttpClient http = HttpClient.newHttpClient();
    List<CompletableFuture<String>> runs = new ArrayList<>();
    for (int copy = 0; copy < 2; copy++) for (Scenario sc : SCENARIOS) runs.add(run(http, port, sc));
    List<String> results = new ArrayList<>();
    for (CompletableFuture<String> r : runs) results.add(r.get(20, TimeUnit.SECONDS));
    Thread.sleep(200); // let the server log the last closes
    tomcat.stop();
    tomcat.destroy();
    closeLog.run();
    results.sort(null);
    Files.writeString(out.resolve(name + ".expected.json"), "[\n  " + String.join(",\n  ", results) + "\n]\n");
  }
  /** One log file, one line per record (a trace's lines after it), as Tomcat's catalina.out has it. */
  static Runnable logToOneLine(Path log) throws IOException {
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) root.removeHandler(h);
    FileHandler file = new FileHandler(log.toString(), false);
    file.setFormatter(new OneLineFormatter());
    file.setEncoding("UTF-8");
    root.addHandler(file);
    return file::close;
  }

  /** java.util.logging (Tomcat's and the endpoints') through SLF4J to logback's LogstashEncoder, with its default fields. */
  static Runnable logToLogstash(Path log) {
    LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
    lc.reset();
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(lc);
    encoder.start();
    FileAppender<ILoggingEvent> file = new FileAppender<>();
    file.setContext(lc);
    file.setFile(log.toString());
    file.setAppend(false);
    file.setEncoder(encoder);
    file.start();
    ch.qos.logback.classic.Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(ch.qos.logback.classic.Level.INFO);
    root.addAppender(file);
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    return lc::stop;
  }
}
