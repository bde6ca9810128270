/** The server's version, reported in `/info` and `/api/v1/health`. Keep in step with package.json. */
export const SERVER_VERSION = '0.1.0';
