// Apollo Client's persisted-query link, as a frontend uses it with `useGETForHashedQueries`,
// against a running server: `node apollo_apq.mjs URL TOKEN QUERY VARIABLES_JSON`.
// Sends the query twice (each time from the network) and prints, as JSON, the method of every
// HTTP request the link made, with its status and what the two queries answered.
import { createHash } from "node:crypto";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const [url, token, query, variables] = process.argv.slice(2);
const requests = [];

async function recordingFetch(input, init) {
  const response = await fetch(input, init);
  requests.push({ method: init?.method ?? "GET", status: response.status });
  return response;
}

const client = new ApolloClient({
  cache: new InMemoryCache(),
  link: new PersistedQueryLink({
    sha256: (text) => createHash("sha256").update(text).digest("hex"),
    useGETForHashedQueries: true,
  }).concat(
    new HttpLink({
      uri: url,
      fetch: recordingFetch,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    }),
  ),
});

const answers = [];
for (let n = 0; n < 2; n++) {
  const result = await client.query({
    query: gql(query),
    variables: JSON.parse(variables),
    fetchPolicy: "network-only",
  });
  answers.push({ data: result.data ?? null, error: result.error ? String(result.error) : null });
}
console.log(JSON.stringify({ requests, answers }));
