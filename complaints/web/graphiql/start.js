// GraphiQL for the complaints API, served from this server's own pinned copies (no CDN).
// Sign in by putting {"Authorization": "Bearer <token>"} in the Headers tab
// (`complaints token --role consumer --sub u-alice` prints one).
(function () {
  "use strict";

  var EXAMPLE = [
    "# GraphiQL for the complaints API.",
    "#",
    "# Without a token you are the public. To sign in, open the Headers tab and put",
    '#   {"Authorization": "Bearer <token>"}',
    "# (`complaints token --role consumer --sub u-alice` prints one).",
    "# Run with Ctrl-Enter.",
    "",
    "{",
    "  viewerRole",
    "}",
    "",
  ].join("\n");

  var parameters = new URLSearchParams(window.location.search);
  var url = window.location.origin + window.location.pathname;
  var socket = new URL(url);
  socket.protocol = socket.protocol === "https:" ? "wss:" : "ws:";

  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: socket.toString() });

  function remember(name, value) {
    if (value) {
      parameters.set(name, value);
    } else {
      parameters.delete(name);
    }
    var search = parameters.toString();
    history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  function App() {
    var explorer = React.useMemo(function () {
      return GraphiQLPluginExplorer.explorerPlugin();
    }, []);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: EXAMPLE,
      query: parameters.get("query") || undefined,
      variables: parameters.get("variables") || undefined,
      onEditQuery: function (value) {
        remember("query", value);
      },
      onEditVariables: function (value) {
        remember("variables", value);
      },
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
})();
