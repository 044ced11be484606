// GraphiQL for /graphql, bundled with the web UI (no CDN). The server
// serves it at GET /graphql to a browser that asks for HTML. The editors'
// "Headers" tab takes an Authorization header: {"Authorization": "Bearer <token>"}.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';

const fetcher = createGraphiQLFetcher({ url: '/graphql' });

const defaultQuery = `# Bazaar's GraphQL API. Press the run button (or Ctrl-Enter).
# Signed-in operations need {"Authorization": "Bearer <access token>"} in Headers.
query Products {
  products(first: 5) {
    nodes {
      id
      title
      priceMin { amount currency }
      variants { sku available }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const root = document.getElementById('graphiql');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} />
    </StrictMode>,
  );
}
