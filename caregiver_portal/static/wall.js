// The leaderboard on the centre's wall screen reloads itself every 5 minutes.
"use strict";

setTimeout(() => window.location.reload(), 5 * 60 * 1000);
