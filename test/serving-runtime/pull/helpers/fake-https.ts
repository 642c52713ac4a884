import { type ObjectServer, sendObject, startObjectServer } from "./object-server";

/** A plain static file server on loopback (stands in for an HTTPS model host). */
export function startStaticServer(): Promise<ObjectServer> {
  return startObjectServer((server, _request, url, response) => {
    sendObject(server, decodeURIComponent(url.pathname.slice(1)), response);
  });
}
