"""The volunteers' time bank (时间银行): points per completed service, rewards, the leaderboard, and its pages."""
